/**
 * The report's chart export: each figure's SVG and PNG buttons save the chart as a standalone file, made in the
 * page (nothing is uploaded or fetched). The page's SVG carries the light theme's colours as attributes (the
 * page CSS restyles it on screen), so the saved file is the light figure; the figure's HTML legend is drawn
 * into the saved SVG at its right, as in the CLI's own figure files. PNG: the SVG drawn on a canvas at 2×.
 * Plain ES5-style JS, inlined once per page.
 */
export const exportScript = `(function () {
  var NS = 'http://www.w3.org/2000/svg';
  function standalone(fig) {
    var svg = fig.querySelector('svg').cloneNode(true);
    var vb = (svg.getAttribute('viewBox') || '0 0 600 400').split(/\\s+/).map(Number);
    var w = vb[2], h = vb[3];
    var items = fig.querySelectorAll('.legend-html li');
    if (items.length) {
      var widest = 0;
      items.forEach(function (li) { widest = Math.max(widest, li.textContent.length); });
      var extra = Math.min(320, Math.ceil(widest * 6.6 + 40));
      var g = document.createElementNS(NS, 'g');
      g.setAttribute('class', 'legend');
      items.forEach(function (li, i) {
        var sw = li.querySelector('.swatch');
        var color = sw ? sw.style.backgroundColor : '';
        var y = 38 + i * 16;
        if (color && color !== 'transparent' && color !== 'rgba(0, 0, 0, 0)') {
          var r = document.createElementNS(NS, 'rect');
          r.setAttribute('x', String(w + 8)); r.setAttribute('y', String(y - 9));
          r.setAttribute('width', '12'); r.setAttribute('height', '10'); r.setAttribute('fill', color);
          g.appendChild(r);
        }
        var t = document.createElementNS(NS, 'text');
        t.setAttribute('x', String(w + 24)); t.setAttribute('y', String(y));
        t.textContent = li.textContent;
        g.appendChild(t);
      });
      svg.appendChild(g);
      var bg = svg.querySelector('rect.bg');
      w += extra;
      h = Math.max(h, 38 + items.length * 16 + 8);
      if (bg) { bg.setAttribute('width', String(w)); bg.setAttribute('height', String(h)); }
    }
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    svg.setAttribute('width', String(w));
    svg.setAttribute('height', String(h));
    svg.removeAttribute('style');
    return { text: new XMLSerializer().serializeToString(svg), width: w, height: h };
  }
  function save(blob, name) {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  document.querySelectorAll('figure.figure').forEach(function (fig) {
    var name = fig.getAttribute('data-name') || 'chart';
    var svgButton = fig.querySelector('.export-svg');
    var pngButton = fig.querySelector('.export-png');
    if (svgButton) svgButton.addEventListener('click', function () {
      var s = standalone(fig);
      save(new Blob([s.text], { type: 'image/svg+xml' }), name + '.svg');
    });
    if (pngButton) pngButton.addEventListener('click', function () {
      var s = standalone(fig);
      var url = URL.createObjectURL(new Blob([s.text], { type: 'image/svg+xml' }));
      var img = new Image();
      img.onload = function () {
        var c = document.createElement('canvas');
        c.width = Math.round(2 * s.width); c.height = Math.round(2 * s.height);
        var ctx = c.getContext('2d');
        ctx.scale(2, 2);
        ctx.drawImage(img, 0, 0, s.width, s.height);
        URL.revokeObjectURL(url);
        c.toBlob(function (b) { if (b) save(b, name + '.png'); }, 'image/png');
      };
      img.src = url;
    });
  });
})();`;
