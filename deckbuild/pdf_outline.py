"""What Chromium's tagged PDF lacks, added with pikepdf: one bookmark per slide title (a section's
slides under their section), titles that keep their math, and the title and language in XMP.

Chromium (`page.pdf(tagged=True, outline=True)`) writes the structure tree, /Lang, /Title and an
outline with one entry per heading (h3 subheadings too) whose text drops inline math. Its entries
give the page and position of each heading; the slides' own titles are read from the page."""
from __future__ import annotations

import io
import re

import pikepdf

# Every rendered heading in document order, as Chromium outlines them: its text without math (which
# Chromium leaves out), its title with math as TeX, whether it is the title of its slide (the first
# h1-h3 of its <section>, or the handout's cover) and the slide file it comes from: a slide file is
# a section of the deck, whatever heading levels its author chose.
HEADINGS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
  .filter(h => h.getClientRects().length && !h.closest('[aria-hidden="true"]'))
  .map(h => {
    const text = replace => { const copy = h.cloneNode(true);
      copy.querySelectorAll('.katex').forEach(k => k.replaceWith(replace(k))); return copy.textContent; };
    const box = h.closest('section, .handout-cover');
    const first = box ? box.querySelector('h1, h2, h3') : null;
    return {plain: text(() => ''), title: text(k => (k.querySelector('annotation') || {}).textContent || ''),
            slide: first === h, file: ((h.closest('section[data-source]') || {dataset: {}}).dataset.source || '').replace(/:\\d+$/, '')};
  })"""


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _chromium_entries(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Array]]:
    """(text, destination) of Chromium's outline entries, depth first (document order)."""
    entries = []

    def walk(items) -> None:
        for item in items:
            entries.append((item.title, item.destination))
            walk(item.children)

    with pdf.open_outline() as outline:
        walk(outline.root)
    return entries


def slide_outline(pdf: pikepdf.Pdf, headings: list[dict]) -> list[pikepdf.OutlineItem]:
    """Top-level bookmarks: the first slide of each slide file, the file's other slides beneath it.
    A heading is matched to the next Chromium entry with the same text, so positions stay Chromium's."""
    entries, start = _chromium_entries(pdf), 0
    top: list[pikepdf.OutlineItem] = []
    section, file = None, None  # the first slide's bookmark of the slide file being read, and that file
    for heading in headings:
        found = next((i for i in range(start, len(entries)) if _squeezed(entries[i][0]) == _squeezed(heading["plain"])), None)
        if found is None:
            continue  # not printed (Chromium outlines what it laid out); the PDF tests catch a lost slide title
        start = found + 1
        if not heading["slide"]:
            continue
        item = pikepdf.OutlineItem(" ".join(heading["title"].split()), entries[found][1])
        if section is not None and heading["file"] == file and file.startswith("slides/"):
            section.children.append(item)
        else:
            top.append(item)
            section, file = item, heading["file"]
    return top


def finish_pdf(data: bytes, headings: list[dict], title: str, lang: str) -> bytes:
    """Chromium's tagged PDF with the slide outline, XMP title and language, and the title shown
    in the viewer's title bar instead of the file name (PDF/UA asks for both)."""
    pdf = pikepdf.open(io.BytesIO(data))
    top = slide_outline(pdf, headings)
    with pdf.open_outline() as outline:
        outline.root[:] = top
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:title"] = title
        xmp["dc:language"] = [lang]
    pdf.docinfo["/Title"] = title
    pdf.Root.Lang = lang
    pdf.Root.ViewerPreferences = pdf.Root.get("/ViewerPreferences", pikepdf.Dictionary())
    pdf.Root.ViewerPreferences.DisplayDocTitle = True
    pdf.Root.PageMode = pikepdf.Name.UseOutlines  # open with the bookmarks shown
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
