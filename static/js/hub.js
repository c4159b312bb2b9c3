// Small progressive enhancements; every page works without them.
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // Filter and role selects submit on change.
  document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });

  // Destructive forms ask first.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

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
