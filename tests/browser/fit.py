"""What a person at 1280 px would see cut off in a page of widgets: the checks the lab and app tests share."""

from __future__ import annotations

#: Widget text cut off (labels, buttons, readouts, checkbox and tab labels, HTML), a dropdown whose chosen
#: entry does not fit its box (measured in the select's own font, with room for its arrow), and a picture
#: wider than its box.
CUT_JS = """() => {
  const selectors = ['.widget-label', 'button.jupyter-button', '.widget-readout', '.widget-checkbox label',
                     '.widget-tab .lm-TabBar-tabLabel', '.widget-toggle-button', '.widget-html-content'];
  const out = [];
  for (const el of document.querySelectorAll(selectors.join(','))) {
    if (!el.offsetParent) continue;  // hidden
    const text = (el.innerText || '').trim();
    if (!text) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      out.push(`${el.className.split(' ')[0]} "${text.slice(0, 60)}" ${el.scrollWidth}>${el.clientWidth}`);
    }
  }
  const canvas = document.createElement('canvas').getContext('2d');
  for (const select of document.querySelectorAll('.widget-dropdown select')) {
    if (!select.offsetParent || select.selectedIndex < 0) continue;
    const style = getComputedStyle(select);
    canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = select.options[select.selectedIndex].text;
    const need = canvas.measureText(text).width + parseFloat(style.paddingLeft) + 16;  // 16: the arrow
    if (need > select.clientWidth + 1) out.push(`dropdown "${text.slice(0, 60)}" needs ${Math.ceil(need)}>${select.clientWidth}`);
  }
  for (const img of document.querySelectorAll('.jp-OutputArea img, .widget-image')) {
    if (!img.offsetParent) continue;
    const box = img.getBoundingClientRect(), parent = img.parentElement.getBoundingClientRect();
    if (box.right > parent.right + 1 || box.right > document.documentElement.clientWidth + 1) {
      out.push(`picture ${Math.round(box.width)} px wide past its box (${Math.round(parent.right)})`);
    }
  }
  return out;
}"""
