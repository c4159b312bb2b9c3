// Small progressive enhancements; every page works without them.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // A user who has not chosen a time zone gets the browser's, posted once (the server keeps any
  // zone already chosen); pages that show times reload to show them in it.
  const zoneUrl = document.body.dataset.browserZone;
  const browserZone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zoneUrl && browserZone && !sessionStorage.getItem("hub-zone-sent")) {
    sessionStorage.setItem("hub-zone-sent", "1");
    fetch(zoneUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": document.querySelector("meta[name=csrf-token]").content},
      body: new URLSearchParams({time_zone: browserZone}),
    }).then((response) => {
      if (response.status === 204 && document.querySelector("[data-zone-times]")) window.location.reload();
    }).catch(() => {});
  }

  // Filter and role selects submit on change.
  document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });

  // Forms that must not be sent twice (a double click during a long upload): the first submit
  // disables the button and says it is working. The server ignores a repeat too (the form's token).
  document.querySelectorAll("form[data-submit-once]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.dataset.sending) {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "1";
      form.querySelectorAll("button[type=submit]").forEach((button) => {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
        if (button.dataset.busyLabel) button.textContent = button.dataset.busyLabel;
      });
    });
  });

  // Destructive forms ask first.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // "/" jumps to the search box (as on GitHub and MDN), unless the person is typing somewhere.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    const box = document.getElementById("q-main") || document.getElementById("q-top");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // On phones the search filters fold behind a "Filters" button, so the first result is on the first screen.
  const facetsToggle = document.querySelector("[data-toggle-facets]");
  if (facetsToggle) {
    facetsToggle.addEventListener("click", () => {
      const facets = document.getElementById(facetsToggle.getAttribute("aria-controls"));
      const open = facets.classList.toggle("is-open");
      facetsToggle.setAttribute("aria-expanded", String(open));
    });
  }

  // The menu button on phones.
  const toggle = document.querySelector("[data-toggle-nav]");
  if (toggle) {
    toggle.addEventListener("click", () => {
      const nav = document.getElementById(toggle.getAttribute("aria-controls"));
      const open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  // New API tokens and links are selected for copying.
  document.querySelectorAll("[data-select-on-focus]").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });

  // A link shown once (a new share link) comes into view with the focus, ready to copy.
  const fresh = document.querySelector("[data-new-link] [data-select-on-focus]");
  if (fresh) {
    fresh.focus({ preventScroll: true });
    fresh.closest("[data-new-link]").scrollIntoView({ block: "center" });
  }

  // Copy buttons copy their field's text, and say so.
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      const label = button.textContent;
      try {
        await navigator.clipboard.writeText(field.value);
      } catch {
        field.select();
        document.execCommand("copy");
      }
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  });
});

// The item page's page-by-page viewer: previous/next buttons and the arrow keys swap the page image
// in place (the links work without script: they reload the page at ?page=N).
document.addEventListener("DOMContentLoaded", () => {
  const viewer = document.querySelector("[data-viewer]");
  if (!viewer) return;
  const pages = Number(viewer.dataset.pages);
  const image = viewer.querySelector("[data-viewer-image]");
  const label = viewer.querySelector("[data-viewer-label]");
  const prev = viewer.querySelector("[data-viewer-step='-1']");
  const next = viewer.querySelector("[data-viewer-step='1']");
  let page = Number(viewer.dataset.page);
  const source = (n) => `${viewer.dataset.base}${n}?v=${viewer.dataset.version}`;
  const ahead = (n) => source(n) + ("markAhead" in viewer.dataset ? "&ahead=1" : "");

  const setEnabled = (link, enabled) => {
    if (enabled) {
      link.removeAttribute("aria-disabled");
      link.removeAttribute("tabindex");
    } else {
      link.setAttribute("aria-disabled", "true");
      link.setAttribute("tabindex", "-1");
    }
  };

  const show = (n) => {
    if (n < 1 || n > pages || n === page) return;
    page = n;
    image.src = source(n);
    image.alt = `Page ${n} of ${pages} of ${viewer.dataset.title}`;
    label.textContent = `Page ${n} of ${pages}`;
    viewer.dataset.page = String(n);
    setEnabled(prev, n > 1);
    setEnabled(next, n < pages);
    prev.href = `?page=${Math.max(n - 1, 1)}#viewer`;
    next.href = `?page=${Math.min(n + 1, pages)}#viewer`;
    const url = new URL(window.location.href);
    url.searchParams.set("page", String(n));
    window.history.replaceState(null, "", url);
    if (n < pages) new Image().src = ahead(n + 1); // the next page is ready when asked for
  };

  [prev, next].forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      show(page + Number(link.dataset.viewerStep));
    });
  });

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable], summary, iframe")) return;
    if (event.key === "ArrowRight") show(page + 1);
    else if (event.key === "ArrowLeft") show(page - 1);
    else return;
    event.preventDefault();
  });

  if (page < pages) new Image().src = ahead(page + 1);
});

// Stars save items in place (the form still works without script: it posts and comes back).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-save-toggle]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      const wanted = form.elements.saved.value;
      button.disabled = true;
      try {
        const response = await fetch(form.action, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) throw new Error(String(response.status));
        const saved = (await response.json()).saved;
        form.elements.saved.value = saved ? "0" : "1";
        button.setAttribute("aria-pressed", String(saved));
        button.title = saved ? "Saved: select to remove" : "Save for later";
        button.querySelector("span").textContent = saved ? "★" : "☆";
      } catch {
        form.elements.saved.value = wanted;
        form.submit(); // let the server answer the ordinary way
        return;
      } finally {
        button.disabled = false;
      }
    });
  });
});
