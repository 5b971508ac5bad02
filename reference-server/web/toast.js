// Toasts: short messages in a live region, so screen readers read them too.
// Errors stay longer and until clicked when the agent is busy reading them.

const ERROR_MS = 8000;
const INFO_MS = 4000;
const MAX_TOASTS = 5;

export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const item = document.createElement('div');
  item.className = `toast toast-${kind}`;
  item.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  item.textContent = message;
  const close = () => item.remove();
  item.addEventListener('click', close);
  box.append(item);
  while (box.children.length > MAX_TOASTS) box.firstElementChild.remove();
  setTimeout(close, kind === 'error' ? ERROR_MS : INFO_MS);
}

// Escape dismisses every toast (the disposition modal ignores Escape itself).
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  const box = document.getElementById('toasts');
  if (box) box.replaceChildren();
});
