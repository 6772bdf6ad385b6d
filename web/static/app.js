// Chapterhouse — small progressive enhancements. Every action also works as a plain form
// post without this file: menus are <details>, previews and votes are form buttons.
"use strict";

(() => {
  const text = (name, fallback) => document.body.dataset[name] || fallback;

  // Menus (<details class="menu">, share menus): close on Escape and on a click elsewhere.
  const menus = () => document.querySelectorAll("details.menu[open], details.share[open]");
  document.addEventListener("click", (event) => {
    for (const menu of menus()) if (!menu.contains(event.target)) menu.open = false;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (const menu of menus()) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  // A live count of the characters left under every textarea with a maxlength.
  for (const area of document.querySelectorAll("textarea[maxlength]")) {
    const limit = Number(area.getAttribute("maxlength"));
    if (!limit) continue;
    const counter = document.createElement("p");
    counter.className = "counter";
    counter.id = `${area.id || "t"}-counter`;
    const update = () => {
      const left = limit - area.value.length;
      counter.textContent = text("tLeft", "{n} characters left").replace("{n}", left.toLocaleString());
      counter.classList.toggle("over", left < limit * 0.05);
    };
    area.insertAdjacentElement("afterend", counter);
    area.addEventListener("input", update);
    update();
  }

  // Markdown preview while writing: textareas with data-preview post their text to the
  // server's sanitizer (the same one publishing uses) a moment after typing stops.
  for (const area of document.querySelectorAll("textarea[data-preview]")) {
    const form = area.form;
    const box = document.createElement("div");
    box.className = "preview e-content";
    box.setAttribute("aria-live", "polite");
    box.hidden = true;
    const label = document.createElement("p");
    label.className = "meta";
    label.textContent = text("tPreview", "Preview");
    const holder = document.createElement("section");
    holder.append(label, box);
    (area.nextElementSibling?.classList.contains("counter") ? area.nextElementSibling : area)
      .insertAdjacentElement("afterend", holder);
    let timer = 0;
    let asked = "";
    const show = async () => {
      const source = area.value;
      if (source === asked) return;
      asked = source;
      const body = new FormData();
      body.set("text", source);
      const csrf = form && form.querySelector("input[type=hidden][name^=csrf]");
      if (csrf) body.set(csrf.name, csrf.value);
      const answer = await fetch(area.dataset.preview, { method: "POST", body, credentials: "same-origin" });
      if (!answer.ok || asked !== source) return;
      box.innerHTML = await answer.text(); // sanitized by the server
      box.hidden = !source.trim();
    };
    area.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(show, 400); });
  }

  // Long comment threads: each nested list of replies gets a button to fold it away.
  for (const list of document.querySelectorAll("ul.comments ul.comments")) {
    const count = list.querySelectorAll(":scope > li").length;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link small";
    button.setAttribute("aria-expanded", "true");
    const label = () => {
      const open = button.getAttribute("aria-expanded") === "true";
      button.textContent = (open ? text("tHide", "Hide replies ({n})")
                                 : text("tShow", "Show replies ({n})")).replace("{n}", count);
    };
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", String(!open));
      list.hidden = open;
      label();
    });
    label();
    list.insertAdjacentElement("beforebegin", button);
  }

  // Poll results that are shown (not the voting form) refresh every 30 s while the page is open.
  const poll = document.querySelector("section.poll[data-refresh]");
  if (poll && !poll.querySelector("form")) {
    setInterval(async () => {
      if (document.hidden) return;
      const answer = await fetch(location.href, { credentials: "same-origin" });
      if (!answer.ok) return;
      const fresh = new DOMParser().parseFromString(await answer.text(), "text/html")
        .querySelector("section.poll[data-refresh]");
      if (fresh && !fresh.querySelector("form")) poll.innerHTML = fresh.innerHTML;
    }, 30000);
  }

  // Copy buttons (share menus): copy the link next to them.
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = !navigator.clipboard;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(button.dataset.copy);
      const before = button.textContent;
      button.textContent = text("tCopied", "Copied");
      setTimeout(() => { button.textContent = before; }, 2000);
    });
  }
})();
