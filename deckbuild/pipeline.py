"""The build, top to bottom: config, references, code, figures, outputs, slides, theme, site."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from .cache import Cache
from .codeblocks import code_html, output_html
from .config import DeckConfig, load_config
from .deck_files import unusable_code_files
from .errors import Collector, DeckError, Problem
from .lock import one_at_a_time
from .model import Ref
from .references import call_key, index_references
from .markdown_render import Stash
from .render import Slide, render_slides
from .resolved import recall, remember, resolved_key
from .hall import site_extras
from .site import render_page, write_site
from .slides import read_slide_files, split_slides
from .templating import format_value, helpers, render_file


@dataclass(frozen=True)
class Options:
    """What the command line passes to a build."""

    device: str = "cpu"
    verbose: bool = False
    progress: bool | None = None  # None: a progress bar only when stderr is a terminal


@one_at_a_time  # two builds of one deck at once would swap each other's site away
def build(root: Path, out: Path, options: Options = Options()) -> list[Ref]:
    """Build the deck in `root` into `out`; raises DeckError listing every user mistake."""
    config = load_config(root)
    refs, stacks, assets = make_slides(root, config, options)
    assets = {**site_extras(config), **assets}  # the PDF and notebooks, when exported
    write_site(out, render_page(config, stacks, assets), config, assets)
    return refs


@one_at_a_time
def check(root: Path, options: Options = Options()) -> list[Ref]:
    """Everything a build does but writing the site: every reference resolved, every output, value
    and figure computed, every slide rendered, so that check fails wherever build would."""
    refs, _, _ = make_slides(root, load_config(root), options)
    return refs


def make_slides(root: Path, config: DeckConfig, options: Options) -> tuple[list[Ref], list[list[Slide]], dict[str, Path]]:
    """The references, the slides as data, and the files they show: slide files read, references
    indexed and resolved (code run, figures drawn), Jinja, slide splitting, Markdown, math, media."""
    cache = Cache(root / ".cache")
    files = read_slide_files(root)
    refs = index_references(files, unusable_code_files(root))
    stash = Stash()  # code, outputs and figures wait here while Markdown runs
    results, figure_files = resolve_references(root, refs, cache, options, config.timeout, stash)
    problems, raw = Collector(), []
    globals_ = helpers(lambda key: results[key])
    for file in files:
        try:
            raw += split_slides(file.path, render_file(file, globals_))
        except DeckError as error:
            problems.extend(error)
    problems.raise_if_any()
    stacks, media = render_slides(raw, root, cache, stash, generated=set(figure_files))  # figures, demo files
    return refs, stacks, {**figure_files, **media}


def resolve_references(root: Path, refs: list[Ref], cache: Cache, options: Options, timeout: float,
                       stash: Stash) -> tuple[dict, dict[str, Path]]:
    """HTML (or text) for every reference, keyed by call_key; and the figure files to copy. Remembered
    as a whole under a hash of all they depend on, so that a prose edit computes none of it again."""
    memo = resolved_key(root, refs, options.device, cache)
    remembered = recall(cache, memo)
    if remembered is None:
        remembered = _references_html(root, refs, cache, options, timeout)
        remember(cache, memo, *remembered)
    html, figure_files = remembered
    results = {call_key(ref.kind, ref.target, ref.args): text if ref.kind == "value" else stash.add(text)
               for ref, text in zip(refs, html)}
    return results, figure_files


def _references_html(root: Path, refs: list[Ref], cache: Cache, options: Options,
                     timeout: float) -> tuple[list[str], dict[str, Path]]:
    """The HTML of each reference in order (snippets found, code run or read from the cache), and the figure files."""
    problems, code = Collector(), {}
    if any(ref.kind == "snippet" for ref in refs):
        from .snippets import index_snippets

        index = index_snippets(root)
    for ref in refs:
        if ref.kind == "snippet":
            try:
                code[ref] = index.find(ref.target, steps=ref.arg("steps"), at=ref.at)
            except DeckError as error:
                problems.extend(error)
    runnable = [ref for ref in refs if ref.kind != "snippet"]
    ran = None
    if runnable:
        from .execute import execute

        try:
            ran = execute(root, runnable, cache, device=options.device, timeout=timeout, verbose=options.verbose,
                          progress=options.progress)
        except DeckError as error:
            problems.extend(error)
    alts = _alt_texts(root, refs, problems)
    problems.raise_if_any()
    html, figure_files, demos = [], {}, {}
    if ran is not None and ran.artifacts:  # demo(): export the trained module for the page
        from .demo import make_demos

        demos = make_demos(root, [ref for ref in refs if ref.kind == "demo"], ran.artifacts, cache, timeout,
                           figure_files, problems)
    for ref in refs:
        try:
            html.append(demos.get(ref, "") if ref.kind == "demo" else
                        _result_html(ref, code.get(ref), ran, figure_files, alts.get(ref)))
        except DeckError as error:
            problems.extend(error)
    problems.raise_if_any()
    return html, figure_files


def _alt_texts(root: Path, refs: list[Ref], problems: Collector) -> dict[Ref, str]:
    """Every figure's alt text: its alt= argument, else the "Alt:" paragraph of its producer's
    docstring; a figure with neither is a mistake (students who cannot see it get nothing)."""
    alts = {ref: ref.arg("alt") for ref in refs if ref.kind == "figure"}
    if all(alts.values()):
        return alts
    from .figures import index_producers

    producers = index_producers(root)
    for ref in [ref for ref, alt in alts.items() if not alt]:
        producer = producers.get(ref.target)
        alts[ref] = producer.alt if producer else ""
        if producer and not producer.alt:
            problems.add(ref.path, ref.line, f'figure("{ref.target}") needs alt="..." describing it for students who '
                                             f'cannot see it (or an "Alt:" paragraph in the docstring at {producer.where})')
    return alts


def _result_html(ref: Ref, snippet, ran, figure_files: dict[str, Path], alt: str | None) -> str:
    """What a helper call puts on the slide."""
    if ref.kind == "snippet":
        caption = ref.arg("caption")
        if caption is True:
            caption = f"{snippet.path}:{snippet.first_line}"
        try:
            return (code_html(snippet.code, "python", snippet.steps, caption or ""))
        except ValueError as error:
            raise DeckError(Problem(ref.path, ref.line, str(error))) from None
    if ref.kind == "output":
        return output_html(ran.text(ref))
    if ref.kind == "value":
        fmt = ref.arg("_1", ref.arg("fmt"))
        try:
            return format_value(ran.value(ref), fmt)
        except (ValueError, TypeError, KeyError, IndexError) as error:
            raise DeckError(Problem(ref.path, ref.line, f"format {fmt!r} does not fit the value: {error}")) from None
    if ref.kind == "figure":
        target = f"figures/{ref.target}.svg"
        figure_files[target] = ran.figure(ref)
        alt = escape(alt or "", quote=True)  # alt text is prose: quotes and < must stay text
        style = f' style="width:{escape(ref.arg("width"), quote=True)}"' if ref.arg("width") else ""
        classes = escape(" ".join(filter(None, ["figure", ref.arg("cls", "")])), quote=True)
        return f'<img class="{classes}" src="{target}" alt="{alt}"{style} />'
    return ""  # exec fences render as the code they are

