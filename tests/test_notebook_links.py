"""Each section's notebook links on the page: only to a notebook that exists (exported into the site,
or published under notebook_base_url), and "Open in Colab" for the student notebook when that URL is
in a GitHub repository."""
from __future__ import annotations

import re

import pytest

from deckbuild.errors import DeckError
from deckbuild.pipeline import build

SLIDES = {"slides/01_a.md": "## First\n\nText.\n", "slides/02_b.md": "## Second\n\nMore.\n"}
LINK = re.compile(r'<a class="(notebook-link|colab-link)" href="([^"]+)"')


def page_links(deck) -> list[tuple[str, str]]:
    build(deck, deck / "build" / "site")
    return LINK.findall((deck / "build" / "site" / "index.html").read_text(encoding="utf-8"))


def test_no_link_to_a_notebook_that_is_not_in_the_site(make_deck):
    deck = make_deck({"deck.toml": 'title = "T"\n', **SLIDES})
    assert page_links(deck) == []  # after build, before notebooks: nothing to link to
    assert "data-notebook" not in (deck / "build" / "site" / "index.html").read_text(encoding="utf-8")


def test_an_exported_notebook_is_linked_and_carried(make_deck):
    deck = make_deck({"deck.toml": 'title = "T"\n', **SLIDES, "build/notebooks/02_b.ipynb": "{}",
                      "build/notebooks/instructor/02_b.ipynb": '{"solutions": 1}'})
    assert page_links(deck) == [("notebook-link", "notebooks/02_b.ipynb")]
    assert (deck / "build" / "site" / "notebooks" / "02_b.ipynb").read_text() == "{}"
    assert not (deck / "build" / "site" / "notebooks" / "instructor").exists()


@pytest.mark.parametrize("base, colab", [
    ("https://github.com/course/ml/blob/main/notebooks/",
     "https://colab.research.google.com/github/course/ml/blob/main/notebooks/{}.ipynb"),
    ("https://github.com/course/ml/tree/v2/lecture7/notebooks",
     "https://colab.research.google.com/github/course/ml/blob/v2/lecture7/notebooks/{}.ipynb"),
    ("https://raw.githubusercontent.com/course/ml/main/nb/",
     "https://colab.research.google.com/github/course/ml/blob/main/nb/{}.ipynb"),
    ("https://example.org/course/nb/", ""),
])
def test_a_github_base_url_adds_open_in_colab_for_the_student_notebook(make_deck, base, colab):
    deck = make_deck({"deck.toml": f'title = "T"\nnotebook_base_url = "{base}"\n', **SLIDES})
    expected = []
    for name in ("01_a", "02_b"):
        expected.append(("notebook-link", (base if base.endswith("/") else base + "/") + f"{name}.ipynb"))
        if colab:
            expected.append(("colab-link", colab.format(name)))
    assert page_links(deck) == expected
    assert all("instructor" not in href for _, href in expected)


def test_a_github_base_url_without_its_branch_is_a_config_error(make_deck):
    deck = make_deck({"deck.toml": 'title = "T"\nnotebook_base_url = "https://github.com/course/ml"\n', **SLIDES})
    with pytest.raises(DeckError) as caught:
        build(deck, deck / "build" / "site")
    assert str(caught.value) == ("deck.toml:2: notebook_base_url on GitHub needs the branch and folder, like "
                                 "https://github.com/OWNER/REPO/blob/main/notebooks/")
