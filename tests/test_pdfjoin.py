"""exams/pdfjoin.py: pages of several PDFs joined into one a part at a time."""

from pathlib import Path

import pikepdf

from variantex.exams.pdfjoin import join_pdfs


def make_part(path: Path, label: str, pages: int, inherit: bool) -> Path:
    """A PDF of `pages` pages drawing "label-k", sharing one font; with `inherit`, the media
    box and resources sit on the page tree and the pages inherit them."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    )
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    box = pikepdf.Array([0, 0, 300 + pages, 400])
    for k in range(1, pages + 1):
        content = pdf.make_stream(f"BT /F1 12 Tf 20 {300 - k} Td (({label}-{k}) ) Tj ET".encode())
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, Contents=content)
        if not inherit:
            page.MediaBox, page.Resources = box, resources
        pdf.pages.append(pikepdf.Page(page))
    if inherit:
        pdf.Root.Pages.MediaBox = box
        pdf.Root.Pages.Resources = resources
    pdf.save(path, deterministic_id=True)
    return path


def page_text(pdf: pikepdf.Pdf, index: int) -> bytes:
    return pdf.pages[index].Contents.read_bytes()


def test_chosen_pages_of_each_part_in_order_with_what_they_inherit(tmp_path):
    first = make_part(tmp_path / "a.pdf", "a", 5, inherit=False)
    second = make_part(tmp_path / "b.pdf", "b", 4, inherit=True)
    target = tmp_path / "joined.pdf"
    join_pdfs([(first, (2, 4)), (second, (1, 4)), (first, (5, 5))], target)
    with pikepdf.open(target) as joined:
        assert joined.check_pdf_syntax() == []  # qpdf finds no syntax or stream problem
        texts = [page_text(joined, i) for i in range(len(joined.pages))]
        labels = [t.split(b"((")[1].split(b")")[0].decode() for t in texts]
        assert labels == ["a-2", "a-3", "a-4", "b-1", "b-2", "b-3", "b-4", "a-5"]
        for page in joined.pages:
            assert page.obj.Resources.Font.F1.BaseFont == "/Helvetica"  # inherited ones written on the page
            assert [int(x) for x in page.obj.MediaBox] in ([0, 0, 305, 400], [0, 0, 304, 400])
        # A part's shared font is written once for the part, not once per page.
        fonts = {page.obj.Resources.Font.F1.objgen for page in joined.pages[:3]}
        assert len(fonts) == 1


def test_the_same_parts_give_the_same_bytes_and_an_id_of_their_content(tmp_path):
    part = make_part(tmp_path / "a.pdf", "a", 3, inherit=True)
    join_pdfs([(part, (1, 3))], tmp_path / "one.pdf")
    join_pdfs([(part, (1, 3))], tmp_path / "two.pdf")
    join_pdfs([(part, (1, 2))], tmp_path / "other.pdf")
    assert (tmp_path / "one.pdf").read_bytes() == (tmp_path / "two.pdf").read_bytes()
    with pikepdf.open(tmp_path / "one.pdf") as one, pikepdf.open(tmp_path / "other.pdf") as other:
        assert bytes(one.trailer.ID[0]) != bytes(other.trailer.ID[0])
        assert len(other.pages) == 2
