// variantex practice page: checks answers in the browser with the rules exported beside the
// questions (tolerances, synonyms, named mistakes, number bounds). It mirrors how
// `variantex check` reads and judges a claim (answer_engine/checking.py, exams/audit.py);
// the test suite compares the two on random claims for every family.
"use strict";
(function () {
  const source = document.getElementById("variantex-data");
  const DATA = JSON.parse(source.textContent);
  const RULES = DATA.rules;
  const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  const FRACTION = /^([+-]?\d+)\s*\/\s*([+-]?\d+)$/;
  const INTEGER = /^[+-]?\d+$/;
  const EXPRESSION = /^[0-9a-z+\-*/^(). ]+$/;
  const LIMIT = 10n ** BigInt(RULES.max_digits);
  const FORMS = "Write a whole number, a fraction like 3/4, a decimal (0.75 or 0,75), a percentage (75%), " +
    "a closed form like 3 ln 2 or sqrt(2)/2, or a word such as \"cannot be determined\" or \"infinity\".";

  function fold(text) {
    const folded = text.trim().toLowerCase().replace(/\s+/g, " ").replace(/\u2019/g, "'");
    return folded.replace(/\s*([<>=;,])\s*/g, "$1");
  }

  function gcd(a, b) {
    a = a < 0n ? -a : a;
    b = b < 0n ? -b : b;
    while (b) [a, b] = [b, a % b];
    return a;
  }

  function rational(n, d) {
    if (d < 0n) { n = -n; d = -d; }
    const g = gcd(n, d) || 1n;
    return { n: n / g, d: d / g };
  }

  function parseRational(text) {
    const [n, d] = text.split("/");
    return rational(BigInt(n), BigInt(d || "1"));
  }

  function bounded(text) {
    const value = BigInt(text);
    if ((value < 0n ? -value : value) >= LIMIT) throw new RangeError("too many digits");
    return value;
  }

  function decimal(text) {
    const match = DECIMAL.exec(text);
    const negative = text.startsWith("-");
    const [whole, fraction = ""] = match[1].split(".");
    const exponent = match[2] ? parseInt(match[2].slice(1), 10) : 0;
    const digits = (whole + fraction).replace(/^0+/, "");
    if (digits === "") return rational(0n, 1n);
    const scale = exponent - fraction.length;
    const adjusted = scale + digits.length - 1;
    if (Math.abs(adjusted) > RULES.max_exponent || digits.length > RULES.max_digits) {
      throw new RangeError("out of bounds");
    }
    const n = BigInt(digits) * (negative ? -1n : 1n);
    return scale >= 0 ? rational(n * 10n ** BigInt(scale), 1n) : rational(n, 10n ** BigInt(-scale));
  }

  function looksNumeric(text) {
    const cleaned = text.trim().toLowerCase();
    return /\d/.test(cleaned) && closedFormWords(cleaned);
  }

  function closedFormWords(cleaned) {
    const words = cleaned.match(/[a-z]+/g) || [];
    return EXPRESSION.test(cleaned) && words.every((w) => RULES.closed_form_names.includes(w));
  }

  // How people write numbers, in the form the readers take (answer_engine/checking.as_written):
  // a typographic minus, a decimal comma ("1,000" is ambiguous: unreadable), a closing full stop.
  const MINUS = /[\u2212\u2012\u2013\ufe63\uff0d]/g;
  const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;
  const THOUSANDS = /^[+-]?[1-9]\d{0,2},\d{3}$/;
  const POINT_ENDED_NUMBER = /^[+-]?\d+\.$/;

  function asWritten(raw) {
    let text = raw.trim().replace(MINUS, "-");
    if (text.endsWith(".") && !POINT_ENDED_NUMBER.test(text)) text = text.slice(0, -1).trimEnd();
    if (DECIMAL_COMMA.test(text)) {
      if (THOUSANDS.test(text)) return null;
      text = text.replace(",", ".");
    }
    return text;
  }

  // A closed form ("3 ln 2", "sqrt(2)/2", "2pi", "e^-1") evaluated in floating point, with
  // the bounds answer_engine/exact.expression puts on it; null when it cannot be read. The
  // grammar is sympy's with implicit multiplication and application, as `check` reads it.
  const FUNCTIONS = { sqrt: Math.sqrt, log: Math.log, ln: Math.log, exp: Math.exp };
  const CONSTANTS = { pi: Math.PI, e: Math.E };

  function closedForm(text) {
    const cleaned = text.trim().toLowerCase();
    if (!cleaned || !closedFormWords(cleaned) || cleaned.length > RULES.max_expression) return null;
    if ((cleaned.match(/\d+/g) || []).some((run) => run.length > RULES.max_digits)) return null;
    if ((cleaned.match(/\(/g) || []).length > 8) return null;
    const tokens = cleaned.match(/\d+\.?\d*|\.\d+|[a-z][a-z0-9]*|\*\*|[-+*/^()]|\s+|./g)
      .filter((t) => !/^\s+$/.test(t));
    let at = 0;
    const peek = () => tokens[at];
    const take = () => tokens[at++];
    const fail = () => { throw new RangeError("unreadable"); };
    const checked = (x) => (Number.isFinite(x) && Math.abs(x) <= 1e300 ? x : fail());
    const startsPrimary = (t) => t !== undefined && (/^[\d.]/.test(t) || /^[a-z]/.test(t) || t === "(");
    function expr() {
      let value = term();
      while (peek() === "+" || peek() === "-") value = checked(take() === "+" ? value + term() : value - term());
      return value;
    }
    function term() {
      let value = unary();
      for (;;) {
        if (peek() === "*" || peek() === "/") {
          const op = take();
          const right = unary();
          if (op === "/" && right === 0) fail();
          value = checked(op === "*" ? value * right : value / right);
        } else if (startsPrimary(peek())) {
          value = checked(value * power());  // "3 ln 2", "2pi", "2(1 + 1)"
        } else return value;
      }
    }
    function unary() {
      if (peek() === "-") { take(); return -unary(); }
      if (peek() === "+") { take(); return unary(); }
      return power();
    }
    function power() {
      const base = primary();
      if (peek() !== "^" && peek() !== "**") return base;
      take();
      const exponent = unary();
      if (Math.abs(exponent) > 1000 || (base === 0 && exponent < 0)) fail();
      return checked(Math.pow(base, exponent));
    }
    function primary() {
      const token = take();
      if (token === undefined) fail();
      if (token === "(") {
        const value = expr();
        if (take() !== ")") fail();
        return value;
      }
      if (/^[\d.]/.test(token)) return checked(Number(token));
      if (Object.prototype.hasOwnProperty.call(CONSTANTS, token)) return CONSTANTS[token];
      if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, token)) fail();
      const argument = peek() === "(" ? primary() : power();  // "ln(2)" or "ln 2"
      return checked(FUNCTIONS[token](argument));
    }
    try {
      const value = expr();
      return at === tokens.length ? value : null;
    } catch (error) {
      return null;
    }
  }

  // A claim as written: {kind: "q" (a rational) | "x" (a closed form, as a float) | "inf" |
  // "text", exact}, or null when it cannot be read (out of bounds, ambiguous, malformed).
  // The same grammar as answer_engine/checking.Claim.read (tests/claim_forms.py holds both to it).
  function readClaim(raw) {
    const text = asWritten(raw);
    if (text === null) return null;
    if (text.endsWith("%") && text.length > 1) {
      const number = readClaim(text.slice(0, -1));
      if (number === null || number.kind === "text" || number.kind === "inf") return null;
      if (number.kind === "q") return { kind: "q", q: rational(number.q.n, number.q.d * 100n), exact: number.exact };
      return { kind: "x", x: number.x / 100, exact: true };
    }
    const folded = fold(text);
    if (RULES.infinity.includes(folded)) return { kind: "inf", sign: 1, exact: true };
    if (RULES.negative_infinity.includes(folded)) return { kind: "inf", sign: -1, exact: true };
    const long = text.length > 3 * RULES.max_digits;
    if (DECIMAL.test(text) && (text.includes(".") || /e/i.test(text))) {
      if (long) return null;
      try { return { kind: "q", q: decimal(text), exact: false }; } catch (error) { return null; }
    }
    if (!long) {
      try {
        const fraction = FRACTION.exec(text);
        if (fraction) {
          const d = bounded(fraction[2]);
          if (d !== 0n) return { kind: "q", q: rational(bounded(fraction[1]), d), exact: true };
        } else if (INTEGER.test(text)) {
          return { kind: "q", q: decimal(text), exact: true };
        }
      } catch (error) { /* out of bounds: read as a closed form below, or not at all */ }
    }
    const value = closedForm(text);
    if (value !== null) return { kind: "x", x: value, exact: true };
    if (looksNumeric(text)) return null;
    return { kind: "text", text: text, exact: true };
  }

  window.variantexRead = function (written) {
    const claim = readClaim(written);
    if (claim === null) return null;
    if (claim.kind === "q") return { kind: "number", value: toNumber(claim.q), exact: claim.exact };
    if (claim.kind === "x") return { kind: "number", value: claim.x, exact: claim.exact };
    if (claim.kind === "inf") return { kind: "inf", value: claim.sign };
    return { kind: "text", value: claim.text };
  };

  function canonical(table, text) {
    const folded = fold(text);
    return Object.prototype.hasOwnProperty.call(table, folded) ? table[folded] : folded;
  }

  function textTable(textAnswers) {
    const table = {};
    for (const [name, synonyms] of Object.entries(textAnswers)) {
      for (const written of [name, ...synonyms]) {
        const folded = fold(written);
        if (!Object.prototype.hasOwnProperty.call(table, folded)) table[folded] = fold(name);
      }
    }
    return table;
  }

  function toNumber(q) { return Number(q.n) / Number(q.d); }

  function withinTolerance(q, answer, tolerance) {
    const rel = parseRational(tolerance[0]);
    const abs = parseRational(tolerance[1]);
    if (typeof answer === "string") {
      const a = parseRational(answer);
      // |q - a| <= max(rel * |a|, abs), exactly: every side over the common denominator.
      const diff = q.n * a.d - a.n * q.d;
      const left = (diff < 0n ? -diff : diff) * rel.d * abs.d;
      const byRelative = (a.n < 0n ? -a.n : a.n) * q.d * rel.n * abs.d;
      const byAbsolute = abs.n * a.d * q.d * rel.d;
      return left <= (byRelative > byAbsolute ? byRelative : byAbsolute);
    }
    const value = Number(answer.float);
    const error = Math.abs(toNumber(q) - value);
    const allowed = Math.max(toNumber(rel) * Math.abs(value), toNumber(abs));
    return error <= allowed * (1 + 1e-12);
  }

  function matches(claim, answer, rules) {
    if (answer.text !== undefined || claim.kind === "text") {
      if (answer.text !== undefined && claim.kind === "text") {
        return canonical(rules.table, claim.text) === canonical(rules.table, answer.text);
      }
      return false;
    }
    if (answer.inf !== undefined || claim.kind === "inf") {
      return claim.kind === "inf" && answer.inf === claim.sign;
    }
    if (claim.kind === "x") {
      // A closed form is exact: equal as far as double precision tells (`check` evaluates
      // both sides to 60 digits; no exam answer sits within 1e-12 of another value).
      const value = typeof answer === "string" ? toNumber(parseRational(answer)) : Number(answer.float);
      return Math.abs(claim.x - value) <= 1e-12 * Math.max(1, Math.abs(value));
    }
    if (claim.exact) {
      if (typeof answer !== "string") return false;
      const a = parseRational(answer);
      return a.n === claim.q.n && a.d === claim.q.d;
    }
    return withinTolerance(claim.q, answer, rules.tolerance);
  }

  const tables = {};

  // The rules one variant is judged by: its tolerance, its family's text answers and synonyms.
  function rulesOf(key) {
    if (!tables[key.family]) tables[key.family] = textTable(DATA.text_answers[key.family]);
    return { tolerance: key.tolerance, table: tables[key.family], textAnswers: DATA.text_answers[key.family] };
  }

  // A word the part cannot mean is a typo, not an answer (as `check` refuses it).
  function textPossible(claim, key, part, rules) {
    if (part.answer.text !== undefined) return true;
    const wanted = canonical(rules.table, claim.text);
    const known = Object.keys(rules.textAnswers).concat(key.mistakes
      .map(([, , values]) => values[part.name])
      .filter((value) => value && value.text !== undefined)
      .map((value) => value.text));
    return known.some((text) => canonical(rules.table, text) === wanted);
  }

  // {verdict: "correct" | "wrong" | "mistake" | "unreadable", mistake: description}
  function judge(key, part, written) {
    const rules = rulesOf(key);
    const claim = readClaim(written);
    if (claim === null || (claim.kind === "text" && !textPossible(claim, key, part, rules))) {
      return { verdict: "unreadable", mistake: "" };
    }
    if (matches(claim, part.answer, rules)) return { verdict: "correct", mistake: "" };
    const named = key.mistakes.filter(([, , values]) => values[part.name] !== undefined
      && matches(claim, values[part.name], rules));
    if (named.length) {
      const fewest = Math.min(...named.map(([, slips]) => slips));
      return { verdict: "mistake", mistake: DATA.descriptions[named.find(([, slips]) => slips === fewest)[0]] };
    }
    return { verdict: "wrong", mistake: "" };
  }

  function partsOf(key) {
    return key.parts.map(([name, answer]) => ({ name, answer }));
  }

  window.variantexJudge = function (variantId, partName, written) {
    const key = DATA.keys[variantId];
    return judge(key, partsOf(key).find((p) => p.name === partName), written);
  };

  // --- the page -------------------------------------------------------------------------------

  // Each line: [kind, text] or [kind, text, markup, after]: markup is a description or a
  // justification as the build wrote it (escaped, its math MathML: exams/exporters/html.py).
  function say(box, lines) {
    box.replaceChildren(...lines.map(([kind, text, markup = "", after = ""]) => {
      const line = document.createElement("p");
      line.className = kind;
      line.textContent = text;
      if (markup) {
        line.insertAdjacentHTML("beforeend", markup);
        line.append(after);
      }
      return line;
    }));
  }

  // A part's name in feedback as its label shows it: the label's MathML (built with the page).
  function labelMarkup(form, input) {
    const math = form.querySelector(`label[for="${input.id}"] math`);
    if (math) return math.outerHTML;
    const text = document.createElement("span");
    text.textContent = input.dataset.label;
    return text.outerHTML;
  }

  // A checked variant's feedback lines and whether it is right: true (every part), false
  // (some part wrong), or null: not judged as a whole yet (a part blank or unreadable and none
  // wrong, or an open question), so the score does not count it.
  function judged(form) {
    const key = DATA.keys[form.dataset.variant];
    if (key.format === "mcq") {
      const chosen = form.querySelector("input[type=radio]:checked");
      if (!chosen) return { right: null, lines: [["hint", "Choose an answer first."]] };
      const option = key.options[chosen.value];
      if (option.correct) return { right: true, lines: [["right", `(${chosen.value}) is correct.`]] };
      const lines = [["wrong", `(${chosen.value}) is not correct.`]];
      if (option.mistake !== null) {
        lines.push(["mistake", "This is what you get if you ", DATA.descriptions[option.mistake], "."]);
      }
      return { right: false, lines };
    }
    if (key.format === "tf") {
      const lines = [];
      let wrong = false;
      let open = false;
      key.statements.forEach(([truth, why], index) => {
        const chosen = form.querySelector(`input[data-statement="${index + 1}"]:checked`);
        if (!chosen) { lines.push(["hint", `Statement ${index + 1}: no answer yet.`]); open = true; return; }
        if ((chosen.value === "T") === truth) lines.push(["right", `Statement ${index + 1}: correct.`]);
        else {
          wrong = true;
          lines.push(["wrong", `Statement ${index + 1}: not correct. It is ${truth ? "true" : "false"}: `,
                      DATA.descriptions[why], ""]);
        }
      });
      return { right: wrong ? false : open ? null : true, lines };
    }
    if (key.format !== "numeric") return { right: null, lines: [] };
    const lines = [];
    let wrong = false;
    let open = false;  // a part blank or unreadable
    for (const part of partsOf(key)) {
      const input = form.querySelector(`[data-part="${part.name}"]`);
      const label = labelMarkup(form, input);
      if (!input.value.trim()) { lines.push(["hint", "", label, ": no answer yet."]); open = true; continue; }
      const result = judge(key, part, input.value);
      input.setAttribute("aria-invalid", result.verdict === "correct" ? "false" : "true");
      if (result.verdict === "correct") { lines.push(["right", "", label, ": correct."]); continue; }
      if (result.verdict === "unreadable") {
        open = true;
        lines.push(["hint", "", label, `: cannot read "${input.value.trim()}". ${FORMS}`]);
      } else {
        wrong = true;
        lines.push(["wrong", "", label, ": not correct."]);
        if (result.verdict === "mistake") lines.push(["mistake", "This is what you get if you ", result.mistake, "."]);
      }
    }
    return { right: wrong ? false : open ? null : true, lines };
  }

  function check(form) {
    const { right, lines } = judged(form);
    say(form.querySelector(".feedback"), lines);
    if (right !== null) {
      const saved = record(form);
      saved.checked = true;
      saved.right = right;
      save();
      showScores();
    }
  }

  // --- progress, kept in this browser only ------------------------------------------------------
  // Answers, verdicts and the variant each question shows live in localStorage under this
  // page's own name (a hash of its content), so a reload or a later visit finds them; nothing
  // leaves the browser. Storage refused (private mode, full) leaves the page working, unsaved.

  const STORE = `variantex-practice:${DATA.page}`;
  const FRESH = () => ({ version: 1, current: {}, variants: {} });
  let progress = FRESH();
  try {
    const saved = JSON.parse(localStorage.getItem(STORE) || "null");
    if (saved && saved.version === 1) progress = saved;
  } catch (error) { /* unreadable: start afresh */ }

  function save() {
    try { localStorage.setItem(STORE, JSON.stringify(progress)); } catch (error) { /* not kept */ }
  }

  function slotOf(element) { return element.closest("section.question").id.slice("question-".length); }

  function record(form) {
    const id = form.dataset.variant;
    if (!progress.variants[id]) progress.variants[id] = { slot: slotOf(form), answers: {} };
    return progress.variants[id];
  }

  function answersOf(form) {
    const answers = {};
    for (const input of form.querySelectorAll("input[type=radio]:checked")) answers[input.name] = input.value;
    for (const input of form.querySelectorAll("input[type=text], textarea")) {
      if (input.value) answers[input.id] = input.value;
    }
    return answers;
  }

  function restore(article) {
    const form = article.querySelector("form.variant-form");
    const saved = form && progress.variants[form.dataset.variant];
    if (!saved) return;
    for (const [name, value] of Object.entries(saved.answers)) {
      const radio = [...form.querySelectorAll("input[type=radio]")].find((r) => r.name === name && r.value === value);
      if (radio) radio.checked = true;
      const field = document.getElementById(name);
      if (field && form.contains(field)) field.value = value;
    }
    if (saved.checked && DATA.keys) check(form);
  }

  function showScores() {
    let tried = 0;
    let right = 0;
    for (const section of document.querySelectorAll("section.question")) {
      const slot = section.id.slice("question-".length);
      const mine = Object.values(progress.variants).filter((v) => v.slot === slot && v.checked);
      const good = mine.filter((v) => v.right).length;
      tried += mine.length;
      right += good;
      const score = section.querySelector(".score");
      if (score) score.textContent = mine.length ? `${good} of ${mine.length} variants checked are right.` : "";
    }
    const total = document.getElementById("progress-score");
    if (total) {
      total.textContent = tried ? `Your score: ${right} of ${tried} variants checked are right.`
        : "Your score: nothing checked yet.";
    }
  }

  // The attempt as a student hands it in: each answered variant, its answers and verdict.
  function attempt() {
    const rows = [];
    for (const section of document.querySelectorAll("section.question")) {
      const slot = section.id.slice("question-".length);
      const title = section.querySelector("h2").textContent;
      for (const [id, saved] of Object.entries(progress.variants)) {
        if (saved.slot !== slot || !Object.keys(saved.answers).length) continue;
        rows.push({
          question: title,
          variant: id.slice(slot.length + 1),
          answers: saved.answers,
          verdict: saved.checked ? (saved.right ? "right" : "wrong") : "not checked",
        });
      }
    }
    return { page: document.title, saved_in: "this browser only", answered: rows };
  }

  function csvCell(text) { return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text; }

  window.variantexExport = function (kind) {
    const data = attempt();
    if (kind === "json") return JSON.stringify(data, null, 1) + "\n";
    const lines = [["question", "variant", "field", "answer", "verdict"]];
    for (const row of data.answered) {
      for (const [field, answer] of Object.entries(row.answers)) lines.push([row.question, row.variant, field, answer, row.verdict]);
    }
    return lines.map((line) => line.map(csvCell).join(",")).join("\n") + "\n";
  };

  function download(kind) {
    const link = document.createElement("a");
    const type = kind === "json" ? "application/json" : "text/csv";
    link.href = `data:${type};charset=utf-8,${encodeURIComponent(window.variantexExport(kind))}`;
    link.download = `my-attempt.${kind}`;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  // --- variants ---------------------------------------------------------------------------------

  // Variants after the first travel gzip-compressed; unpack one when it is first asked for.
  async function unpack(encoded) {
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }

  async function show(question, index, focus) {
    const slot = question.id.slice("question-".length);
    const stored = DATA.later[slot];
    const target = ((index % (stored.length + 1)) + stored.length + 1) % (stored.length + 1);
    const articles = question.querySelectorAll("article.variant");
    let article = [...articles].find((a) => a.dataset.index === String(target));
    if (!article) {
      const holder = document.createElement("div");
      holder.innerHTML = await unpack(stored[target - 1][1]);
      article = holder.firstElementChild;
      question.appendChild(article);
      restore(article);
    }
    for (const other of question.querySelectorAll("article.variant")) other.hidden = other !== article;
    question.dataset.current = String(target);
    progress.current[slot] = target;
    if (focus) article.querySelector("h3").focus();
  }

  // Clicks come faster than unpacking: each question's moves run one after another, so two
  // quick clicks show the next variant and then the one after it, never the same one twice.
  function another(question) {
    question.queue = (question.queue || Promise.resolve())
      .then(() => show(question, Number(question.dataset.current || "0") + 1, true))
      .then(save);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form.variant-form");
    if (!form) return;
    event.preventDefault();
    if (DATA.keys) check(form);
  });

  // Every answer typed or chosen is kept as it changes.
  const keep = (event) => {
    const form = event.target.closest("form.variant-form");
    if (!form) return;
    const saved = record(form);
    saved.answers = answersOf(form);
    save();
  };
  document.addEventListener("input", keep);
  document.addEventListener("change", keep);

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.classList.contains("show-solution")) {
      const solution = document.getElementById(button.getAttribute("aria-controls"));
      solution.hidden = !solution.hidden;
      button.setAttribute("aria-expanded", String(!solution.hidden));
      button.textContent = solution.hidden ? "Show solution" : "Hide solution";
    } else if (button.classList.contains("another")) {
      another(button.closest("section.question"));
    } else if (button.id === "reset-progress") {
      if (!window.confirm("Forget every answer and score on this page, in this browser?")) return;
      try { localStorage.removeItem(STORE); } catch (error) { /* nothing was kept */ }
      progress = FRESH();
      window.location.reload();
    } else if (button.dataset.export) {
      download(button.dataset.export);
    }
  });

  // Back where the student left off: each question's variant, answers and verdicts.
  (async function () {
    for (const question of document.querySelectorAll("section.question")) {
      const first = question.querySelector("article.variant");
      if (first) restore(first);
      const slot = question.id.slice("question-".length);
      const current = progress.current[slot];
      if (current) {
        question.queue = show(question, current, false).catch(() => { /* a stale index: stay on the first */ });
        await question.queue;
      }
    }
    showScores();
    document.body.dataset.ready = "true";
  })();
})();
