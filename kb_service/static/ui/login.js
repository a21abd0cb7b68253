// Login: check the key with /v1/whoami, keep {key, kb} in sessionStorage, go on to ?next= or the sidebar.
import { api, loadSession, safeNext, saveSession } from "./common.js";

const form = document.getElementById("login-form");
const keyInput = document.getElementById("api-key");
const kbInput = document.getElementById("kb");
const button = document.getElementById("login-button");
const errorBox = document.getElementById("login-error");
const next = safeNext(new URLSearchParams(location.search).get("next"));

const previous = loadSession();
if (previous && previous.kb) kbInput.value = previous.kb;

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

async function logIn(event) {
  event.preventDefault();
  errorBox.hidden = true;
  const key = keyInput.value.trim();
  const kb = kbInput.value.trim() || "default";
  if (!key) return showError("请输入 API 密钥 / Please enter an API key");
  button.disabled = true;
  try {
    const me = await api(key, "/v1/whoami");
    if (Array.isArray(me.kbs) && !me.kbs.includes(kb)) {
      return showError(`此密钥不能使用知识库 “${kb}” / This key may not use knowledge base '${kb}'`);
    }
    saveSession({ key, kb, role: me.role });
    location.assign(next);
  } catch (err) {
    showError(err.message || String(err));
  } finally {
    button.disabled = false;
  }
}

form.addEventListener("submit", logIn);
