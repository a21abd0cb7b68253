// The textarea's text as conversation turns: "客户:" / "Customer:" and "客服:" / "Agent:" lines
// start turns (continuation lines join the turn above); text without such lines is one customer turn.

const SPEAKER = /^\s*(客户|顾客|用户|customer|客服|坐席|agent)\s*[:：]\s*/i;
const AGENT = /^(客服|坐席|agent)$/i;

export function parseConversation(text) {
  const lines = String(text || "").split(/\r?\n/);
  if (!lines.some((line) => SPEAKER.test(line))) {
    const whole = String(text || "").trim();
    return whole ? [{ role: "customer", text: whole }] : [];
  }
  const turns = [];
  for (const line of lines) {
    const match = line.match(SPEAKER);
    if (match) {
      const role = AGENT.test(match[1]) ? "agent" : "customer";
      turns.push({ role, text: line.slice(match[0].length).trim() });
    } else if (line.trim()) {
      if (turns.length) turns[turns.length - 1].text += "\n" + line.trim();
      else turns.push({ role: "customer", text: line.trim() });
    }
  }
  return turns.filter((turn) => turn.text);
}

export function hasCustomerText(turns) {
  return turns.some((turn) => turn.role === "customer" && turn.text.trim());
}
