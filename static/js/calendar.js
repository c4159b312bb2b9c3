// Calendar pages: hide the fields that do not apply; copy feed links. Everything works without it.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector(".cal-form");
  if (form) {
    // All-day entries have no times or zone: hide those fields while the box is ticked.
    const allDay = form.querySelector("[data-all-day]");
    const syncAllDay = () => form.classList.toggle("is-allday", allDay.checked);
    allDay.addEventListener("change", syncAllDay);
    syncAllDay();

    // Show only the repeat controls that belong to the chosen frequency.
    const repeat = form.querySelector("[data-repeat-select]");
    const syncRepeat = () => {
      form.querySelectorAll("[data-repeat-show]").forEach((el) => {
        el.classList.toggle("is-hidden", !el.dataset.repeatShow.split(" ").includes(repeat.value));
      });
    };
    repeat.addEventListener("change", syncRepeat);
    syncRepeat();

    // Moving the start moves the end by the same amount, so the length stays as it was.
    const startDate = form.querySelector("[name=start_date]");
    const endDate = form.querySelector("[name=end_date]");
    let previous = startDate.value;
    startDate.addEventListener("change", () => {
      const from = Date.parse(previous), to = Date.parse(startDate.value), end = Date.parse(endDate.value);
      if (!Number.isNaN(from) && !Number.isNaN(to) && !Number.isNaN(end)) {
        endDate.value = new Date(end + (to - from)).toISOString().slice(0, 10);
      }
      previous = startDate.value;
    });
  }

  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.textContent = "Copied";
      } catch {
        button.previousElementSibling?.focus();
      }
    });
  });
});
