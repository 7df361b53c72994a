// optiviz: keyboard reach and accessible names for what Plotly and Streamlit draw.
// A static asset (optiviz/ui/keyboard.py puts it in the page once): it reads the page and sets ARIA
// attributes and key handlers; it never evaluates text from the page or from a link.
//
// - plotly players: each `layout.updatemenus` button becomes role=button, tabindex=0, named after its
//   text ("Play", "Pause"); Enter or Space clicks it as plotly's own click handler expects.
// - plotly step sliders (`layout.sliders`): role=slider, tabindex=0, named after the slider's
//   `currentvalue.prefix` ("step t"), with aria-valuemin/max/now/valuetext; ←/→, PageUp/PageDown,
//   Home/End press plotly's own rail at that step's tick (mousedown + mouseup), so plotly runs the step.
// - each chart: role=figure named by `layout.meta.name` (set by optiviz/ui/charts.show).
// - controls Streamlit and plotly repeat per widget or chart (number-input steppers, select toggles,
//   heading links, element toolbars, plotly's mode bar): the widget's label or the chart's name is added
//   where the same name occurs more than once on the page.
(() => {
  if (window.__optivizA11y) return;
  window.__optivizA11y = true;
  if (typeof window.__optivizCss === "string") {  // optiviz/ui/keyboard.css, which keyboard.py hands over
    const style = document.createElement("style");
    style.id = "optiviz-a11y-style";
    style.textContent = window.__optivizCss;
    document.head.appendChild(style);
  }

  const MANAGED = "data-optiviz-a11y";  // the accessible name this script set, to notice when it was replaced
  const text = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : "");
  const plain = (s) => s.replace(/^[^\p{L}\p{N}]+/u, "").replace(/[\s=:]+$/u, "").trim();  // "▶ Play" -> "Play"
  const chartName = (gd) => (gd && gd.layout && gd.layout.meta && typeof gd.layout.meta.name === "string"
    ? gd.layout.meta.name : "");

  function mouse(type, target, x, y) {
    target.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true, view: window, clientX: x, clientY: y,
      button: 0, buttons: type === "mouseup" ? 0 : 1}));
  }

  // The slider's plotly options, as plotly keeps them on the slider group (d3 data).
  function sliderOptions(group) {
    const d = group && group.__data__;
    return d && Array.isArray(d.steps) ? d : null;
  }

  function sliderGroup(el) { return el.querySelector(".slider-group"); }

  function sliderState(el) {
    const group = sliderGroup(el), opts = sliderOptions(group);
    if (!opts) return null;
    const steps = opts._visibleSteps || opts.steps.filter((s) => s.visible !== false);
    const active = opts.steps[opts.active];
    const now = Math.max(0, steps.indexOf(active));
    return {group, opts, steps, now};
  }

  // Move the slider to visible step `index` the way a pointer does: mousedown on plotly's rail at that
  // step's tick, then mouseup on the graph div (plotly's drag ends there), so plotly's handler runs the step.
  function moveTo(el, index) {
    const state = sliderState(el);
    if (!state) return;
    const last = state.steps.length - 1;
    index = Math.min(last, Math.max(0, index));
    if (index === state.now) return;
    const ticks = state.group.querySelectorAll("rect.slider-tick-rect");
    const rail = state.group.querySelector("rect.slider-rail-touch-rect");
    if (!rail || ticks.length !== state.steps.length) return;
    const box = ticks[index].getBoundingClientRect(), railBox = rail.getBoundingClientRect();
    const x = box.left + box.width / 2, y = railBox.top + Math.min(railBox.height / 2, 8);
    const gd = el.closest(".js-plotly-plot");
    mouse("mousedown", rail, x, y);
    mouse("mouseup", gd, x, y);
  }

  function onSliderKey(ev) {
    const el = ev.currentTarget, state = sliderState(el);
    if (!state) return;
    const last = state.steps.length - 1, page = Math.max(1, Math.round(last / 10));
    const target = {ArrowRight: state.now + 1, ArrowUp: state.now + 1, ArrowLeft: state.now - 1,
      ArrowDown: state.now - 1, PageUp: state.now + page, PageDown: state.now - page, Home: 0, End: last}[ev.key];
    if (target === undefined) return;
    ev.preventDefault();
    ev.stopPropagation();
    moveTo(el, target);
  }

  function onButtonKey(ev) {
    if (ev.key !== "Enter" && ev.key !== " ") return;
    ev.preventDefault();
    ev.stopPropagation();
    const r = ev.currentTarget.getBoundingClientRect();
    mouse("click", ev.currentTarget, r.left + r.width / 2, r.top + r.height / 2);
  }

  function attr(el, name, value) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  function once(el, key, fn) {
    if (el["__optiviz" + key]) return;
    el["__optiviz" + key] = true;
    fn();
  }

  // name: [element, base name, context] for every control this script names; duplicates get their context.
  function setNames(entries) {
    const count = new Map();
    for (const [, base] of entries) count.set(base, (count.get(base) || 0) + 1);
    for (const [el, base, context] of entries) {
      const name = count.get(base) > 1 && context ? `${base}: ${context}` : base;
      attr(el, "aria-label", name);
      attr(el, MANAGED, name);
    }
  }

  // The name an element had before this script named it (or the one its owner gave it since).
  function baseName(el, fallback) {
    const current = el.getAttribute("aria-label");
    if (current && current !== el.getAttribute(MANAGED)) el.dataset.optivizBase = current;
    return el.dataset.optivizBase || fallback || current || "";
  }

  function widgetLabel(el, selector) {
    const box = el.closest(selector);
    return box ? text(box.querySelector("[data-testid='stWidgetLabel']")) : "";
  }

  function decorate() {
    const entries = [];
    for (const gd of document.querySelectorAll(".js-plotly-plot")) {
      const chart = chartName(gd);
      if (chart && gd.getAttribute("aria-label") !== chart) {
        attr(gd, "role", "figure");
        attr(gd, "aria-label", chart);
      }
      for (const b of gd.querySelectorAll("g.updatemenu-button")) {
        attr(b, "role", "button");
        attr(b, "tabindex", "0");
        attr(b, "focusable", "true");
        once(b, "Key", () => b.addEventListener("keydown", onButtonKey));
        entries.push([b, plain(text(b.querySelector(".updatemenu-item-text"))) || "Menu", chart]);
      }
      for (const s of gd.querySelectorAll("g.slider-container")) {
        const state = sliderState(s);
        if (!state) continue;
        const prefix = state.opts.currentvalue && state.opts.currentvalue.prefix;
        attr(s, "role", "slider");
        attr(s, "tabindex", "0");
        attr(s, "focusable", "true");
        attr(s, "aria-orientation", "horizontal");
        attr(s, "aria-valuemin", "0");
        attr(s, "aria-valuemax", String(state.steps.length - 1));
        attr(s, "aria-valuenow", String(state.now));
        const shown = text(state.group.querySelector(":scope > text.slider-label"));  // currentvalue, if drawn
        const step = state.steps[state.now];
        const value = step && step.label !== undefined ? String(step.label) : String(state.now);
        attr(s, "aria-valuetext", shown || `${prefix || ""}${value}`.trim());
        once(s, "Key", () => s.addEventListener("keydown", onSliderKey));
        entries.push([s, plain(prefix || "") || "Step", chart]);
      }
      for (const b of gd.querySelectorAll(".modebar-btn")) {
        entries.push([b, baseName(b, b.getAttribute("data-title")), chart]);
      }
      const box = gd.closest("[data-testid='stElementContainer']");
      if (box) {
        for (const b of box.querySelectorAll("[data-testid='stBaseButton-elementToolbar']")) {
          entries.push([b, baseName(b), chart]);
        }
      }
    }
    for (const b of document.querySelectorAll("[data-testid='stNumberInputStepUp'], [data-testid='stNumberInputStepDown']")) {
      entries.push([b, baseName(b), widgetLabel(b, "[data-testid='stNumberInput']")]);
    }
    for (const b of document.querySelectorAll("[data-testid='stSelectbox'] button, [data-testid='stMultiSelect'] button")) {
      if (b.closest("[data-testid='stTooltipIcon']") || /^Help for /.test(b.getAttribute("aria-label") || "")) continue;
      entries.push([b, baseName(b), widgetLabel(b, "[data-testid='stSelectbox'], [data-testid='stMultiSelect']")]);
    }
    for (const a of document.querySelectorAll("[data-testid='stHeaderActionElements'] a")) {
      const heading = a.closest("h1, h2, h3, h4, h5, h6");
      const words = heading ? text(heading.querySelector("span") || heading) : "";
      entries.push([a, baseName(a, "Link to heading"), words]);
    }
    setNames(entries.filter(([, base]) => base));
  }


  // --- Readable coloured text -------------------------------------------------------------------
  // Text drawn in a series' colour (a title's "zero-centred", an update rule's "Momentum") keeps its hue
  // but is mixed toward the theme's text colour until it reads at WCAG AA against what is behind it:
  // 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold) and for symbols alone ("●").
  const rgba = (c) => {
    const m = c && c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const contrast = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const inside = (b, x, y) => x >= b.left && x <= b.right && y >= b.top && y <= b.bottom;

  // Opaque colour behind (x, y): the backgrounds of el's ancestors that cover it (all of them above a
  // scrolling box, whose ancestors span the viewport wherever the text is scrolled to).
  function behindHtml(el, x, y) {
    const layers = [];
    let scrolled = false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e), bg = rgba(cs.backgroundColor);
      if (bg && bg[3] > 0 && (scrolled || inside(e.getBoundingClientRect(), x, y))) { layers.push(bg); if (bg[3] >= 1) break; }
      if (/auto|scroll/.test(cs.overflowY + cs.overflowX)) scrolled = true;
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
  }

  function behindSvg(el, gd, x, y) {  // a chart's plot area where (x, y) lies in one, else its paper
    let under = behindHtml(gd, x, y);
    const paper = rgba(getComputedStyle(gd.querySelector("svg.main-svg") || gd).backgroundColor);
    if (paper && paper[3] > 0) under = over(paper, under);
    for (const r of gd.querySelectorAll("rect.bg")) {
      if (!inside(r.getBoundingClientRect(), x, y)) continue;
      const fill = rgba(getComputedStyle(r).fill);
      if (fill) under = over([fill[0], fill[1], fill[2], fill[3] * Number(getComputedStyle(r).fillOpacity)], under);
    }
    return under;
  }

  const shaded = new Map();  // element -> [property, its own value, its own priority], to undo a shade

  function restore(el) {
    const [prop, value, priority] = shaded.get(el);
    if (value) el.style.setProperty(prop, value, priority); else el.style.removeProperty(prop);
    shaded.delete(el);
    el.__optivizStyle = undefined;
  }

  // ink: the theme's text colour, toward which a faint colour is mixed.
  function shadeReadable(el, svg, ink) {
    const key = el.getAttribute("style");
    if (el.__optivizStyle === key) return;
    if (shaded.has(el)) restore(el);
    el.__optivizStyle = key;
    const words = el.textContent.trim();
    if (!words) return;
    const cs = getComputedStyle(el), fg = rgba(svg ? cs.fill : cs.color);  // style only: no layout yet
    if (!fg) return;
    const alpha = svg ? Number(cs.fillOpacity) : 1;
    if (alpha * fg[3] === 0) return;  // transparent on purpose (plotly's hidden slider tick labels)
    const box = el.getBoundingClientRect();
    if (box.width < 1 || box.height < 1) return;
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const gd = svg && el.closest(".js-plotly-plot");
    const under = gd ? behindSvg(el, gd, x, y) : behindHtml(el, x, y);
    // An HTML element's text may sit in smaller, non-bold children: only SVG text counts as large here.
    const size = parseFloat(cs.fontSize), bold = Number(cs.fontWeight) >= 700;
    const large = svg && (size >= 24 || (size >= 18.66 && bold));
    const need = (large || !/[\p{L}\p{N}]/u.test(words) ? 3 : 4.5) + 0.05;
    const shown = (c) => over([c[0], c[1], c[2], alpha * fg[3]], under);
    if (contrast(shown(fg), under) >= need) return;
    const prop = svg ? "fill" : "color";
    for (let t = 0.1; t <= 1.0001; t += 0.1) {
      const mix = [0, 1, 2].map((i) => Math.round(fg[i] * (1 - t) + ink[i] * t));
      if (contrast(shown(mix), under) >= need || t > 0.95) {
        shaded.set(el, [prop, el.style.getPropertyValue(prop), el.style.getPropertyPriority(prop)]);
        el.style.setProperty(prop, `rgb(${mix.join(", ")})`, "important");
        el.__optivizStyle = el.getAttribute("style");
        return;
      }
    }
  }

  // Text drawn in a series' colour, and Streamlit's text in its primary colour (a slider's value, the
  // selected tab), which reads at 4.6:1 on white but 3.5:1 on the dark theme.
  const COLOURED = ["[data-testid='stMarkdownContainer'] [style*='color']", "[data-testid='stCaptionContainer'] [style*='color']",
    "[data-testid='stSliderThumbValue']", "[data-testid='stSliderTickBarMin']", "[data-testid='stSliderTickBarMax']",
    "[role='tab'][aria-selected='true'] [data-testid='stMarkdownContainer'] p"].join(", ");
  let theme = "";

  function readable() {
    const app = document.querySelector("[data-testid='stApp']") || document.body;
    const now = getComputedStyle(app).backgroundColor;
    if (now !== theme) {  // the student switched theme: every shade is computed again
      theme = now;
      for (const el of [...shaded.keys()]) restore(el);
      for (const el of document.querySelectorAll("*")) if (el.__optivizStyle !== undefined) el.__optivizStyle = undefined;
    }
    const ink = rgba(getComputedStyle(app).color) || [0, 0, 0, 1];
    const seen = new Set();
    for (const gd of document.querySelectorAll(".js-plotly-plot")) {
      const chartInk = rgba(getComputedStyle(gd).color) || ink;
      for (const el of gd.querySelectorAll("text[style*='fill'], tspan[style*='fill']")) { seen.add(el); shadeReadable(el, true, chartInk); }
    }
    for (const el of document.querySelectorAll(COLOURED)) { seen.add(el); shadeReadable(el, false, ink); }
    for (const el of [...shaded.keys()]) if (!seen.has(el) || !el.isConnected) restore(el);  // a tab no longer selected
  }

  let queued = false;
  const schedule = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; decorate(); readable(); });
  };
  new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true, characterData: true});
  schedule();
})();
