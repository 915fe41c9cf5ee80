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
    const words = cleaned.match(/[a-z]+/g) || [];
    return /\d/.test(cleaned) && EXPRESSION.test(cleaned) && words.every((w) => RULES.closed_form_names.includes(w));
  }

  // A claim as written: {kind: "q" (a rational) | "inf" | "text", exact}, or null when this page
  // cannot read it (out of bounds, or a closed form such as sqrt(2)/2 that only `check` reads).
  function readClaim(raw) {
    const text = raw.trim();
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
      } catch (error) { /* out of bounds: unreadable below */ }
    }
    if (looksNumeric(text)) return null;
    return { kind: "text", text: text, exact: true };
  }

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
    const rel = parseRational(tolerance.relative);
    const abs = parseRational(tolerance.absolute);
    if (answer.q !== undefined) {
      const a = parseRational(answer.q);
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

  function matches(claim, answer, part) {
    if (answer.text !== undefined || claim.kind === "text") {
      if (answer.text !== undefined && claim.kind === "text") {
        return canonical(part.table, claim.text) === canonical(part.table, answer.text);
      }
      return false;
    }
    if (answer.inf !== undefined || claim.kind === "inf") {
      return claim.kind === "inf" && answer.inf === claim.sign;
    }
    if (claim.exact) {
      if (answer.q === undefined) return false;
      const a = parseRational(answer.q);
      return a.n === claim.q.n && a.d === claim.q.d;
    }
    return withinTolerance(claim.q, answer, part.tolerance);
  }

  // A word the part cannot mean is a typo, not an answer (as `check` refuses it).
  function textPossible(claim, part) {
    if (part.answer.text !== undefined) return true;
    const wanted = canonical(part.table, claim.text);
    const known = Object.keys(part.text_answers).concat(
      part.mistakes.filter((m) => m.value.text !== undefined).map((m) => m.value.text));
    return known.some((text) => canonical(part.table, text) === wanted);
  }

  // {verdict: "correct" | "wrong" | "mistake" | "unreadable", mistake: description}
  function judge(part, written) {
    if (!part.table) part.table = textTable(part.text_answers);
    const claim = readClaim(written);
    if (claim === null || (claim.kind === "text" && !textPossible(claim, part))) {
      return { verdict: "unreadable", mistake: "" };
    }
    if (matches(claim, part.answer, part)) return { verdict: "correct", mistake: "" };
    const named = part.mistakes.filter((m) => matches(claim, m.value, part));
    if (named.length) {
      const fewest = Math.min(...named.map((m) => m.slips));
      return { verdict: "mistake", mistake: named.find((m) => m.slips === fewest).description };
    }
    return { verdict: "wrong", mistake: "" };
  }

  window.variantexJudge = function (variantId, partName, written) {
    const part = DATA.keys[variantId].parts.find((p) => p.name === partName);
    return judge(part, written);
  };

  // --- the page -------------------------------------------------------------------------------

  function say(box, lines) {
    box.replaceChildren(...lines.map(([kind, text]) => {
      const line = document.createElement("p");
      line.className = kind;
      line.textContent = text;
      return line;
    }));
  }

  function check(form) {
    const key = DATA.keys[form.dataset.variant];
    const box = form.querySelector(".feedback");
    if (key.format === "mcq") {
      const chosen = form.querySelector("input[type=radio]:checked");
      if (!chosen) return say(box, [["hint", "Choose an answer first."]]);
      const option = key.options[chosen.value];
      if (option.correct) return say(box, [["right", `(${chosen.value}) is correct.`]]);
      const lines = [["wrong", `(${chosen.value}) is not correct.`]];
      if (option.mistake) lines.push(["mistake", `This is what you get if you ${option.mistake}.`]);
      return say(box, lines);
    }
    const lines = [];
    for (const part of key.parts) {
      const input = form.querySelector(`[data-part="${part.name}"]`);
      const label = input.dataset.label;
      if (!input.value.trim()) { lines.push(["hint", `${label}: no answer yet.`]); continue; }
      const result = judge(part, input.value);
      input.setAttribute("aria-invalid", result.verdict === "correct" ? "false" : "true");
      if (result.verdict === "correct") lines.push(["right", `${label}: correct.`]);
      else if (result.verdict === "unreadable") {
        lines.push(["hint", `${label}: cannot read "${input.value.trim()}". Write a whole number, a fraction ` +
          "like 3/4, a decimal, or a word such as \"cannot be determined\" or \"infinity\"."]);
      } else {
        lines.push(["wrong", `${label}: not correct.`]);
        if (result.verdict === "mistake") lines.push(["mistake", `This is what you get if you ${result.mistake}.`]);
      }
    }
    say(box, lines);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form.variant-form");
    if (!form) return;
    event.preventDefault();
    if (DATA.keys) check(form);
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.classList.contains("show-solution")) {
      const solution = document.getElementById(button.getAttribute("aria-controls"));
      solution.hidden = !solution.hidden;
      button.setAttribute("aria-expanded", String(!solution.hidden));
      button.textContent = solution.hidden ? "Show solution" : "Hide solution";
    } else if (button.classList.contains("another")) {
      const question = button.closest("section.question");
      const variants = [...question.querySelectorAll("article.variant")];
      const current = variants.findIndex((v) => !v.hidden);
      const next = (current + 1) % variants.length;
      variants[current].hidden = true;
      variants[next].hidden = false;
      question.querySelector(".counter").textContent = `Variant ${next + 1} of ${variants.length}`;
      variants[next].querySelector("h3").focus();
    }
  });
})();
