/* The offline page: list the pages this phone has saved (the service worker's "pages"
 * cache), by their titles, so a worker without a network finds their station again. */
(function () {
  "use strict";
  var list = document.querySelector(".saved-pages");
  if (!list || !window.caches) return;
  caches.open("pages").then(function (cache) {
    return cache.keys().then(function (requests) {
      var pages = requests.filter(function (r) { return new URL(r.url).pathname.indexOf("/m/") === 0; });
      return Promise.all(pages.map(function (request) {
        return cache.match(request).then(function (response) { return response.text(); }).then(function (html) {
          var title = new DOMParser().parseFromString(html, "text/html").title;
          return { url: request.url, title: title || new URL(request.url).pathname };
        });
      }));
    });
  }).then(function (pages) {
    pages.sort(function (a, b) { return a.title.localeCompare(b.title, "zh-Hans"); });
    pages.forEach(function (p) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.title;
      item.appendChild(link);
      list.appendChild(item);
    });
    document.querySelector(".no-saved-pages").hidden = pages.length > 0;
  });
})();
