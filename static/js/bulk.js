// Bulk upload (templates/library/bulk.html): files dropped or picked are posted one by one, three at
// a time, each with its own progress bar; the server checks each and answers its review row as HTML
// (or why it was refused). Without this script the picker's form posts every file at once.
document.addEventListener("DOMContentLoaded", () => {
  const zone = document.querySelector("[data-bulk]");
  if (!zone) return;
  const PARALLEL = 3;
  const input = zone.querySelector("input[type=file]");
  const list = document.querySelector("[data-upload-list]");
  const summary = document.querySelector("[data-upload-summary]");
  const rows = document.querySelector("[data-review-rows]");
  const empty = document.querySelector("[data-review-empty]");
  const count = document.querySelector("[data-row-count]");
  const form = document.getElementById("bulk-create");
  const create = form.querySelector("[data-create]");
  const note = form.querySelector("[data-create-note]");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const maxBytes = Number(zone.dataset.maxBytes);
  const waiting = [];
  let running = 0;
  let done = 0;
  let failed = 0;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function refresh() {
    const n = rows.querySelectorAll("tr[data-row]").length;
    count.textContent = String(n);
    empty.hidden = n > 0;
    const busy = running + waiting.length;
    create.disabled = busy > 0 || n === 0;
    note.textContent = busy > 0 ? `Uploading: ${busy} ${busy === 1 ? "file" : "files"} to go.` : "";
  }

  function add(files) {
    for (const file of files) {
      const item = element("li", "upload");
      const bar = element("progress", "upload__bar");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", `Upload of ${file.name}`);
      const status = element("span", "upload__status", "Waiting");
      item.append(element("span", "upload__name", file.name), bar, status);
      list.append(item);
      waiting.push({ file, item, bar, status });
    }
    pump();
  }

  function pump() {
    while (running < PARALLEL && waiting.length) send(waiting.shift());
    refresh();
  }

  function finish(job, ok, message) {
    job.item.classList.add(ok ? "is-done" : "is-failed");
    job.status.textContent = message;
    if (ok) done += 1; else failed += 1;
    summary.textContent = `${done} uploaded, ${failed} refused.`;
  }

  function send(job) {
    if (job.file.size > maxBytes) {
      finish(job, false, zone.dataset.tooLarge);
      return;
    }
    running += 1;
    job.status.textContent = "0 %";
    const request = new XMLHttpRequest();
    request.open("POST", zone.dataset.uploadUrl);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRFToken", csrf);
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.round((event.loaded / event.total) * 100);
      job.bar.value = Math.min(percent, 99);  // 100 % once the server has kept it
      job.status.textContent = `${job.bar.value} %`;
    });
    request.addEventListener("loadend", () => {
      running -= 1;
      let body = null;
      try { body = JSON.parse(request.responseText); } catch (error) { body = null; }
      if (request.status === 201 && body) {
        job.bar.value = 100;
        finish(job, true, "100 %");
        const template = document.createElement("template");
        template.innerHTML = body.row_html.trim();
        const row = template.content.firstElementChild;
        rows.append(row);
        mirror(row);
      } else if (body && body.error) {
        finish(job, false, body.error.message);
      } else if (request.status === 0) {
        finish(job, false, "The connection was lost: upload this file again.");
      } else {
        finish(job, false, `The server could not take this file (HTTP ${request.status}).`);
      }
      pump();
    });
    const data = new FormData();
    data.append("file", job.file);
    request.send(data);
  }

  // The defaults show in each row: as placeholders of its fields, the "Default" content type's
  // label, and its stage boxes until someone ticks one there.
  function defaults() {
    const value = (name) => form.querySelector(`[data-default="${name}"]`).value;
    const stages = [...form.querySelectorAll('[data-default="stages"]:checked')].map((box) => box.value);
    const type = form.querySelector('[data-default="content_type"]');
    return { product: value("product"), industry: value("industry"), persona: value("persona"), stages,
             typeLabel: type.value ? type.selectedOptions[0].textContent : "" };
  }

  function mirror(row, given) {
    const d = given || defaults();
    row.querySelectorAll("input[data-default-of]").forEach((field) => {
      const label = field.getAttribute("aria-label").split(" of ")[0];
      field.placeholder = d[field.dataset.defaultOf] || label;
    });
    const first = row.querySelector('select[data-default-of="content_type"] option[value=""]');
    first.textContent = d.typeLabel ? `Default: ${d.typeLabel}` : "Default";
    const stages = row.querySelector("[data-row-stages]");
    if (!stages.dataset.touched) {
      stages.querySelectorAll("input[type=checkbox]").forEach((box) => { box.checked = d.stages.includes(box.value); });
    }
  }

  function mirrorAll() {
    const d = defaults();
    rows.querySelectorAll("tr[data-row]").forEach((row) => mirror(row, d));
  }

  form.querySelectorAll("[data-default]").forEach((field) => {
    field.addEventListener("input", mirrorAll);
    field.addEventListener("change", mirrorAll);
  });
  rows.addEventListener("change", (event) => {
    const stages = event.target.closest("[data-row-stages]");
    if (stages) stages.dataset.touched = "1";
  });

  // Remove drops the staged file on the server, then its row.
  rows.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-remove]");
    if (!button) return;
    event.preventDefault();
    button.disabled = true;
    const response = await fetch(button.dataset.remove, {
      method: "POST", headers: { Accept: "application/json", "X-CSRFToken": csrf }, credentials: "same-origin",
    });
    if (response.ok || response.status === 404) {
      button.closest("tr").remove();
    } else {
      button.disabled = false;
      note.textContent = "That upload could not be removed: try again.";
    }
    refresh();
  });

  // One "Create drafts" per page: a second click while the first is on its way makes nothing twice.
  form.addEventListener("submit", (event) => {
    if (create.disabled || form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    create.textContent = "Creating drafts…";
    window.setTimeout(() => { create.disabled = true; }, 0);
  });

  input.addEventListener("change", () => {
    add([...input.files]);
    input.value = "";
  });
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("is-over");
  }));
  ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("is-over")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) add([...event.dataTransfer.files]);
  });
  zone.addEventListener("submit", (event) => event.preventDefault());

  mirrorAll();
  refresh();
});
