"""Labels, hints and messages: inline text with <output/>s, or itext ids looked up per language.

A translation maps an itext id to its forms: None (the plain text), "long", "short", "image",
"audio", "video", "big-image", "guidance". Each form is a list of parts: strings and compiled
<output value="..."/> expressions, joined at display time.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from waypoint_core.xform.xpath_eval import Expr, to_string

XF = "{http://www.w3.org/2002/xforms}"
_ITEXT_CALL = re.compile(r"^\s*jr:itext\(\s*(['\"])(.*?)\1\s*\)\s*$")


def parse_parts(el: ET.Element, compile_output, where: str) -> list:
    """Mixed content of a <label>/<hint>/<value>: text and <output value|ref=.../> expressions."""
    parts: list = []
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if tag == "output":
            expr_text = child.get("value") or child.get("ref")
            if expr_text:
                parts.append(compile_output(expr_text, where))
        if child.tail:
            parts.append(child.tail)
    return _merge(parts)


def _merge(parts: list) -> list:
    out: list = []
    for p in parts:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] += p
        else:
            out.append(p)
    if out and isinstance(out[0], str):
        out[0] = out[0].lstrip()
    if out and isinstance(out[-1], str):
        out[-1] = out[-1].rstrip()
    return out


def render_parts(parts: list, node, env) -> str:
    return "".join(p if isinstance(p, str) else to_string(p.evaluate(node, env)) for p in parts)


@dataclass
class Text:
    """A label, hint or message: an itext id (static or computed) or inline parts."""

    itext_id: str | None = None
    itext_expr: Expr | None = None
    parts: list = field(default_factory=list)

    @classmethod
    def from_element(cls, el: ET.Element, compile_output, where: str) -> Text:
        ref = el.get("ref")
        if ref:
            m = _ITEXT_CALL.match(ref)
            if m:
                return cls(itext_id=m.group(2))
            inner = ref.strip()
            if inner.startswith("jr:itext(") and inner.endswith(")"):
                return cls(itext_expr=compile_output(inner[len("jr:itext("):-1], where))
            return cls(parts=[compile_output(ref, where)])
        return cls(parts=parse_parts(el, compile_output, where))

    @classmethod
    def from_attribute(cls, raw: str, compile_output, where: str) -> Text:
        m = _ITEXT_CALL.match(raw)
        if m:
            return cls(itext_id=m.group(2))
        return cls(parts=[raw])

    def outputs(self, translations: dict) -> list[Expr]:
        """Every expression whose value shows in this text, in any language."""
        exprs = [p for p in self.parts if not isinstance(p, str)]
        if self.itext_expr is not None:
            exprs.append(self.itext_expr)
        if self.itext_id:
            for table in translations.values():
                for parts in table.get(self.itext_id, {}).values():
                    exprs.extend(p for p in parts if not isinstance(p, str))
        return exprs

    def resolve(self, translations: dict, language: str | None, node, env, form: str | None = None) -> str:
        """The text in `language` (form None = plain text, falling back to "long", "short")."""
        text_id = self.itext_id
        if text_id is None and self.itext_expr is not None:
            text_id = to_string(self.itext_expr.evaluate(node, env))
        if text_id is None:
            return render_parts(self.parts, node, env) if form is None else ""
        forms = translations.get(language or "", {}).get(text_id)
        if forms is None:
            for table in translations.values():
                if text_id in table:
                    forms = table[text_id]
                    break
        if not forms:
            return ""
        if form is None:
            parts = forms.get(None) or forms.get("long") or forms.get("short") or []
        else:
            parts = forms.get(form) or []
        return render_parts(parts, node, env)

    def media(self, translations: dict, language: str | None) -> dict[str, str]:
        """jr://images/... style references for image/audio/video/big-image forms."""
        if not self.itext_id:
            return {}
        forms = translations.get(language or "", {}).get(self.itext_id, {})
        return {k: "".join(p for p in v if isinstance(p, str)) for k, v in forms.items()
                if k in ("image", "audio", "video", "big-image")}


def parse_itext(itext: ET.Element | None, compile_output) -> tuple[dict, str | None]:
    """<itext> → {language: {id: {form: parts}}}, and the default language."""
    translations: dict[str, dict[str, dict]] = {}
    default = None
    if itext is None:
        return translations, None
    for tr in itext.findall(f"{XF}translation"):
        lang = tr.get("lang") or ""
        # any default attribute marks the default language, default="" included (JavaRosa's
        # XFormParser.parseTranslation: isDefault != null)
        if default is None and tr.get("default") is not None:
            default = lang
        table = translations.setdefault(lang, {})
        for text in tr.findall(f"{XF}text"):
            text_id = text.get("id")
            forms = table.setdefault(text_id, {})
            for value in text.findall(f"{XF}value"):
                forms[value.get("form")] = parse_parts(value, compile_output, text_id)
    if default is None and translations:
        default = next(iter(translations))
    return translations, default
