// Sidebar keyboard: Enter searches (Shift+Enter is a newline, IME composition is left alone),
// ArrowUp / ArrowDown move the selection, Ctrl+Enter (or Cmd+Enter) copies the selected reply.

/** Whether an arrow key should move the suggestion selection rather than the caret. */
function arrowMovesSelection(target, key) {
  if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) return false;
  if (!(target instanceof HTMLTextAreaElement)) return true;
  const { value, selectionStart, selectionEnd } = target;
  if (selectionStart !== selectionEnd) return false;
  // Inside a multi-line text the arrows move the caret; on its first / last line they move the selection.
  const rest = key === "ArrowDown" ? value.slice(selectionEnd) : value.slice(0, selectionStart);
  return !rest.includes("\n");
}

/** "copy" | "search" | "down" | "up" | null for a keydown event. */
export function keyAction(event, textArea) {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) return "copy";
  const composing = event.isComposing || event.keyCode === 229;
  if (event.key === "Enter" && event.target === textArea && !event.shiftKey && !event.altKey && !composing) {
    return "search";
  }
  if ((event.key === "ArrowDown" || event.key === "ArrowUp") && arrowMovesSelection(event.target, event.key)) {
    return event.key === "ArrowDown" ? "down" : "up";
  }
  return null;
}
