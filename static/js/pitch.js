// A pitch item's page tells the rep how long it was in view (issue 14): visible time is counted with
// the Page Visibility API and sent as whole seconds (form field `seconds`, at most 300 a report) with
// navigator.sendBeacon when the page is hidden or left, and every 30 s of visible time.
(() => {
  const root = document.querySelector("[data-pitch-time]");
  if (!root || !navigator.sendBeacon) return;
  const url = root.dataset.pitchTime;
  const EVERY = 30; // seconds of visible time between reports
  const MOST = 300; // the server refuses more in one report
  let counted = 0; // milliseconds visible, not yet sent
  let since = document.visibilityState === "visible" ? performance.now() : null;

  const pause = () => {
    if (since !== null) counted += performance.now() - since;
    since = null;
  };

  const send = () => {
    const seconds = Math.min(Math.floor(counted / 1000), MOST);
    if (seconds < 1) return;
    const body = new URLSearchParams({ seconds: String(seconds) });
    if (navigator.sendBeacon(url, body)) counted -= seconds * 1000;
  };

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      since = performance.now();
    } else {
      pause();
      send();
    }
  });
  window.addEventListener("pagehide", () => {
    pause();
    send();
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && document.visibilityState === "visible") since = performance.now();
  });
  setInterval(() => {
    if (since === null) return;
    const now = performance.now();
    counted += now - since;
    since = now;
    if (counted >= EVERY * 1000) send();
  }, 5000);
})();
