/**
 * Page layout that scripts take part in: the settings button of small screens and the print view
 * (A4 landscape: map, legend, title and leeswijzer; the rules are html.wz-printing in style.css).
 */

const $ = (id) => document.getElementById(id);
const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

/** Map and GL canvas at the size of the page's (new) layout, drawn. */
async function fitMap(mapView) {
  mapView.leaflet.invalidateSize({ pan: true, animate: false });   // the centre stays
  await frame();
  await frame();                          // the Leaflet binding resizes its canvas in a frame
  mapView.gl.resize();
  await mapView.whenDrawn();
}

/** @param {function} getMapView  the MapView once there is one */
export function setupLayout(getMapView) {
  const button = $('instellingen-knop');
  const side = $('sidebar');
  button.addEventListener('click', () => {
    const open = side.classList.toggle('wz-open');
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
  });
  const html = document.documentElement;
  // the button: lay the page out for print, wait until the map is drawn at that size, print
  $('afdrukken').addEventListener('click', async () => {
    html.classList.add('wz-printing');
    if (getMapView()) { await fitMap(getMapView()); }
    window.print();                        // returns when the print dialog is closed
    if (html.classList.contains('wz-printing')) { window.dispatchEvent(new Event('afterprint')); }
  });
  // Ctrl+P: the same layout; the map is redrawn at once (no time to wait for anything)
  window.addEventListener('beforeprint', () => {
    html.classList.add('wz-printing');
    const mapView = getMapView();
    if (mapView) {
      mapView.leaflet.invalidateSize({ pan: true, animate: false });
      mapView.gl.resize();
      mapView.gl.redraw();
    }
  });
  window.addEventListener('afterprint', () => {
    html.classList.remove('wz-printing');
    if (getMapView()) { fitMap(getMapView()); }
  });
}
