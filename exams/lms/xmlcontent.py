"""View content as XHTML elements for QTI (2.1 itemBody content, or HTML strings for QTI 1.2
`mattext`): text and `\\( … \\)` math as text nodes, lists, tables and figures as images."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from lxml import etree

from variantex.exams.lms.html import Node, lms_tex
from variantex.generators.markup import Block, Bullets, Content, DisplayMath, Figure, MathSpan, Paragraph, Table


def inline_text(content: Content) -> str:
    return "".join(f"\\({lms_tex(span.tex)}\\)" if isinstance(span, MathSpan) else span.text for span in content)


def element(namespace: str, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    node = etree.Element(
        f"{{{namespace}}}{tag}" if namespace else tag, {k.rstrip("_"): v for k, v in attributes.items()}
    )
    node.text = text
    return node


def add(parent: etree._Element, namespace: str, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    node = element(namespace, tag, text, **attributes)
    parent.append(node)
    return node


def blocks(items: Sequence[Block], namespace: str, figure: Callable[[Figure], dict]) -> list[etree._Element]:
    """Block elements; `figure` gives an image's attributes (src, alt)."""
    out = []
    for block in items:
        if isinstance(block, Paragraph):
            out.append(element(namespace, "p", inline_text(block.content)))
        elif isinstance(block, DisplayMath):
            out.append(element(namespace, "p", f"\\[{lms_tex(block.tex)}\\]"))
        elif isinstance(block, Bullets):
            listing = element(namespace, "ul")
            for item in block.items:
                add(listing, namespace, "li", inline_text(item))
            out.append(listing)
        elif isinstance(block, Table):
            table = element(namespace, "table")
            head = add(add(table, namespace, "thead"), namespace, "tr")
            for cell in block.header:
                add(head, namespace, "th", inline_text(cell))
            body = add(table, namespace, "tbody")
            for row in block.rows:
                line = add(body, namespace, "tr")
                for cell in row:
                    add(line, namespace, "td", inline_text(cell))
            out.append(table)
        elif isinstance(block, Figure):
            paragraph = element(namespace, "p")
            add(paragraph, namespace, "img", **figure(block))
            out.append(paragraph)
        else:
            raise TypeError(f"no XHTML for {type(block).__name__}")
    return out


XSI = "http://www.w3.org/2001/XMLSchema-instance"


def package_manifest(
    namespace: str, identifier: str, marker: str, schema: str, version: str, location: str | None = None
) -> tuple[etree._Element, etree._Element]:
    """An IMS content-packaging manifest (in `namespace`): metadata naming the package schema,
    empty organizations, and the resources element to fill, returned with it."""
    manifest = etree.Element(f"{{{namespace}}}manifest", nsmap={None: namespace, "xsi": XSI}, identifier=identifier)
    if location:
        manifest.set(f"{{{XSI}}}schemaLocation", f"{namespace} {location}")
    # XML allows no "--" inside a comment and no "-" at its end; the marker holds the title.
    manifest.append(etree.Comment(" %s " % re.sub("-(?=-)", "- ", marker)))
    metadata = add(manifest, namespace, "metadata")
    add(metadata, namespace, "schema", schema)
    add(metadata, namespace, "schemaversion", version)
    add(manifest, namespace, "organizations")
    return manifest, add(manifest, namespace, "resources")


def add_notation(parent: etree._Element, namespace: str, nodes: Sequence[Node]) -> None:
    """Append a parsed description (exams/lms/html.notation) to `parent`: text, <sup>/<sub>
    elements, and math as `\\( … \\)` text."""

    def text(chunk: str) -> None:
        last = parent[-1] if len(parent) else None
        if last is None:
            parent.text = (parent.text or "") + chunk
        else:
            last.tail = (last.tail or "") + chunk

    for node in nodes:
        if isinstance(node, str):
            text(node)
        elif node[0] == "math":
            text(f"\\({lms_tex(str(node[1][0]))}\\)")
        else:
            add_notation(add(parent, namespace, node[0]), namespace, node[1])
