// Inside WeChat, a page the official account signed (core/wechat.py) sets its own share
// card: title, line and picture. Elsewhere, or unsigned, the page's og: tags make the card.
(function () {
  "use strict";
  var data = document.getElementById("wechat-share");
  if (!data || !window.wx) return;
  var share = JSON.parse(data.textContent);
  if (!share.config) return;
  window.wx.config(share.config);
  window.wx.ready(function () {
    var card = { title: share.title, desc: share.desc, link: share.link, imgUrl: share.imgUrl };
    window.wx.updateAppMessageShareData(card);
    window.wx.updateTimelineShareData({ title: share.title, link: share.link, imgUrl: share.imgUrl });
  });
})();
