// The bell's unread count without a reload: while the tab is visible, ask the server every
// data-poll-seconds (HUB_NOTIFICATION_POLL_SECONDS, 60 by default) for {"unread": n} and update the
// number and the link's accessible name. No polling while hidden; it stops for good on 401/403.
document.addEventListener("DOMContentLoaded", () => {
  const bell = document.querySelector("[data-bell][data-unread-url]");
  if (!bell || !window.fetch) return;
  const url = bell.dataset.unreadUrl;
  const seconds = Math.max(1, Number(bell.dataset.pollSeconds) || 60);
  const label = bell.querySelector("[data-bell-label]");
  let timer = null;
  let stopped = false;

  function show(unread) {
    let count = bell.querySelector("[data-bell-count]");
    if (unread > 0) {
      if (!count) {
        count = document.createElement("span");
        count.className = "bell__count";
        count.setAttribute("aria-hidden", "true");
        count.setAttribute("data-bell-count", "");
        bell.appendChild(count);
      }
      count.textContent = String(unread);
    } else if (count) {
      count.remove();
    }
    if (label) label.textContent = unread > 0 ? `Notifications, ${unread} unread` : "Notifications";
  }

  function stop() {
    stopped = true;
    window.clearTimeout(timer);
    timer = null;
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = stopped || document.hidden ? null : window.setTimeout(poll, seconds * 1000);
  }

  function poll() {
    timer = null;
    if (stopped || document.hidden) return;
    fetch(url, {credentials: "same-origin", cache: "no-store", redirect: "error",
                headers: {Accept: "application/json"}})
      .then((response) => {
        if (response.status === 401 || response.status === 403) {
          stop();
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then((body) => {
        if (body && Number.isInteger(body.unread)) show(body.unread);
      })
      .catch(() => {})
      .finally(schedule);
  }

  document.addEventListener("visibilitychange", () => {
    if (stopped) return;
    if (document.hidden) {
      window.clearTimeout(timer);
      timer = null;
    } else {
      poll();  // back on the tab: bring the number up to date at once, then every interval
    }
  });
  schedule();
});
