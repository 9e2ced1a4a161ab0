/* Search as you type: turns each site search box into a combobox with a list of suggestions.
   Without this script the boxes are plain forms that submit to /search/. */
(function () {
  "use strict";

  var script = document.currentScript;
  var endpoint = (script && script.getAttribute("data-suggest-url")) || "/api/suggest";
  var MIN_LETTERS = 2;
  var DELAY_MS = 120;
  var KIND_LABELS = { article: "Topic", faq: "Question", synonym: "Search" };
  var counter = 0;

  function enhance(input) {
    counter += 1;
    var listId = "suggest-list-" + counter;
    var host = input.parentNode;
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var items = [];
    var active = -1;
    var timer = null;
    var lastAsked = "";

    list.id = listId;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    host.classList.add("suggest-host");
    var urgentBox = document.createElement("div");
    urgentBox.className = "suggest-urgent notice";
    urgentBox.setAttribute("role", "alert");
    urgentBox.hidden = true;
    host.appendChild(urgentBox);
    host.appendChild(list);
    host.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.children;
      for (var i = 0; i < options.length; i += 1) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      input.value = item.text;
      close();
      window.location.assign(item.url);
    }

    function render(suggestions) {
      items = suggestions;
      list.textContent = "";
      suggestions.forEach(function (item, i) {
        var option = document.createElement("li");
        var kind = document.createElement("span");
        option.id = listId + "-" + i;
        option.className = "suggest-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.appendChild(document.createTextNode(item.text));
        kind.className = "suggest-kind";
        kind.textContent = " " + (KIND_LABELS[item.kind] || "") +
          (item.detail ? ": " + item.detail : "");
        option.appendChild(kind);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the box until the choice is made
          choose(i);
        });
        list.appendChild(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var open = suggestions.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      status.textContent = open ? suggestions.length + " suggestions, use the arrow keys" : "";
    }

    // Where typed words already raise an urgent-care message, it shows before any search.
    function showUrgent(urgent) {
      urgentBox.textContent = "";
      urgentBox.hidden = !urgent;
      if (!urgent) { return; }
      var title = document.createElement("strong");
      title.textContent = urgent.title + ". ";
      urgentBox.appendChild(title);
      urgent.contacts.concat(urgent.emergency_contacts).forEach(function (contact, i) {
        var link = document.createElement("a");
        link.href = "tel:" + contact.tel;
        link.textContent = contact.number;
        if (i > 0) { urgentBox.appendChild(document.createTextNode(" · ")); }
        urgentBox.appendChild(document.createTextNode(contact.action + " "));
        urgentBox.appendChild(link);
        urgentBox.appendChild(document.createTextNode(", " + contact.name));
      });
    }

    function ask() {
      var query = input.value.trim();
      if (query.length < MIN_LETTERS) { render([]); lastAsked = ""; return; }
      if (query === lastAsked) { return; }
      lastAsked = query;
      fetch(endpoint + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          if (input.value.trim() === query) {
            showUrgent(data.urgent || null);
            render(data.suggestions || []);
          }
        })
        .catch(function () { render([]); }); // the plain search still works
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length > 0;
      if (event.key === "ArrowDown" && open) {
        event.preventDefault();
        highlight(active + 1 >= items.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", close);
  }

  var inputs = document.querySelectorAll('form[role="search"] input[type="search"]');
  for (var i = 0; i < inputs.length; i += 1) { enhance(inputs[i]); }
}());
