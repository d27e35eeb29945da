"""Figures for the visual-cortex section: why vision is hard, and computed models of V1."""
from __future__ import annotations

import math

import torch
import torchvision.transforms.v2.functional as TF
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon
from torchvision.transforms import v2

from code_snippets import cortex
from code_snippets.data import load_digits
from figures_src._style import (BLUE, DIGIT_CMAP, DIVERGING_CMAP, GREY, ORANGE, RED,
                                new_figure)


# ---------------------------------------------------------------- challenges of vision
def _clutter(image: torch.Tensor, others: torch.Tensor, seed: int = 1) -> torch.Tensor:
    """The digit among shifted pieces of other digits (brightest pixel wins)."""
    picks = torch.randint(len(others), (3,), generator=torch.Generator().manual_seed(seed))
    shifts = ([-13, -9], [12, -11], [-11, 13])
    cluttered = image.clone()
    for pick, shift in zip(picks.tolist(), shifts):
        piece = TF.affine(others[pick], angle=0.0, translate=shift, scale=1.0, shear=[0.0])
        cluttered = torch.maximum(cluttered, piece)
    return cluttered


def _vision_challenges_images() -> dict[str, torch.Tensor]:
    """One real digit under the nuisances a recognizer must ignore, named for the figure."""
    images, labels = load_digits(train=True)
    first, second = torch.nonzero(labels == 7).flatten()[:2].tolist()  # two writers' 7s
    digit = images[first]
    ramp = torch.linspace(1.0, 0.15, 28).view(1, 1, 28)  # light falls off to the right
    corners = [[0, 0], [27, 0], [27, 27], [0, 27]]
    tilted = [[7, 6], [20, 6], [27, 27], [0, 27]]  # the page tilted back: its top recedes
    with torch.random.fork_rng():
        torch.manual_seed(3)  # the elastic field is random; fix it for a fixed figure
        bent = v2.ElasticTransform(alpha=60.0, sigma=4.0)(digit)
    return {
        "original": digit,
        "viewpoint": TF.rotate(TF.perspective(digit, corners, tilted), angle=35.0,
                               interpolation=v2.InterpolationMode.BILINEAR),
        "illumination": digit * ramp + 0.3 * (1 - ramp),
        "deformation": bent,
        "occlusion": TF.erase(digit, i=6, j=12, h=11, w=12, v=torch.tensor(0.5)),
        "clutter": _clutter(digit, images),
        "scale": TF.affine(digit, angle=0.0, translate=[5, 5], scale=0.45, shear=[0.0]),
        "another writer": images[second],
    }


def vision_challenges() -> Figure:
    """One real digit under viewpoint, illumination, deformation, occlusion, clutter and scale."""
    images = _vision_challenges_images()
    fig = new_figure(10, 5.2)
    axes = fig.subplots(2, 4)
    for ax, (name, image) in zip(axes.flat, images.items()):
        ax.imshow(image.squeeze().clamp(0, 1).numpy(), cmap=DIGIT_CMAP, vmin=0, vmax=1)
        ax.set_xlabel(name, fontsize=15)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


# ---------------------------------------------------------------- hierarchy
HIERARCHY = (  # (brain area, what drives its cells, analogue in a CNN)
    ("retina", "spots of\nlight", "pixels"),
    ("LGN", "centre-surround\ncontrast", "normalize"),
    ("V1", "oriented edges\nand bars", "conv 1"),
    ("V2", "contours,\ntextures", "conv 2"),
    ("V4", "curvature,\nshape parts", "conv 3-4"),
    ("IT", "objects,\nfaces", "fully\nconnected"),
)


def _box(ax, x: float, y: float, text: str, colour: str, width: float = 1.45) -> None:
    """A rounded box with bold centred text."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - 0.32), width, 0.64, facecolor=colour,
                                edgecolor="black", lw=1.2, boxstyle="round,pad=0.05"))
    ax.text(x, y, text, ha="center", va="center", color="white", fontsize=14,
            fontweight="bold")


def _arrow(ax, start, end, colour: str = "black", style: str = "-|>") -> None:
    """A straight arrow between two points."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=18,
                                 color=colour, lw=1.8))


def visual_hierarchy() -> Figure:
    """Schematic of the ventral visual pathway, what each stage responds to, and CNN analogues."""
    fig = new_figure(10, 4.5)
    ax = fig.add_subplot()
    step = 2.0
    for i, (area, preferred, analogue) in enumerate(HIERARCHY):
        x = i * step
        _box(ax, x, 3.0, area, BLUE)
        ax.text(x, 2.15, preferred, ha="center", va="center", fontsize=12.5)
        _box(ax, x, 0.6, analogue, ORANGE)
        _arrow(ax, (x, 1.65), (x, 1.05), GREY, "<|-|>")
        # Receptive fields grow along the pathway: circles of growing size
        ax.add_patch(Circle((x, 3.75), 0.05 + 0.045 * i, facecolor=GREY, edgecolor="none"))
        if i > 0:
            _arrow(ax, ((i - 1) * step + 0.8, 3.0), (x - 0.8, 3.0))
            _arrow(ax, ((i - 1) * step + 0.8, 0.6), (x - 0.8, 0.6))
    ax.text(-1.05, 3.0, "brain", ha="right", va="center", color=BLUE, fontweight="bold")
    ax.text(-1.05, 0.6, "CNN", ha="right", va="center", color=ORANGE, fontweight="bold")
    ax.text(-1.05, 3.75, "receptive\nfield size", ha="right", va="center", color=GREY,
            fontsize=12)
    _arrow(ax, (0, -0.25), (5 * step, -0.25), GREY)
    ax.text(2.5 * step, -0.5, "larger receptive fields, more abstract features",
            ha="center", va="top", color=GREY)
    ax.set_xlim(-2.1, 5 * step + 0.85)
    ax.set_ylim(-0.8, 4.15)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# ---------------------------------------------------------------- simple cells
def gabor_receptive_field() -> Figure:
    """The model simple cell's Gabor receptive field: ON (+) and OFF (-) subregions."""
    rf = cortex.model_cell()
    half = (cortex.CELL_SIZE - 1) / 2
    limit = rf.abs().max().item()
    fig = new_figure(9, 4.5)
    field_ax, profile_ax = fig.subplots(1, 2, width_ratios=(1, 1.25))
    image = field_ax.imshow(rf.numpy(), cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit,
                            extent=(-half, half, -half, half), interpolation="bilinear")
    # Subregion centres lie across the bars, half a wavelength apart
    theta = math.radians(cortex.CELL_ORIENTATION)
    across = (-math.sin(theta), math.cos(theta))
    for k, sign in ((-1, "−"), (0, "+"), (1, "−")):
        offset = k * cortex.CELL_WAVELENGTH / 2
        field_ax.text(offset * across[0], offset * across[1], sign, fontsize=26,
                      fontweight="bold", ha="center", va="center")
    # The line along which the right panel cuts through the field
    field_ax.plot([-half * across[0], half * across[0]], [-half * across[1], half * across[1]],
                  "--", color=GREY, lw=1.5)
    field_ax.axis("off")
    bar = fig.colorbar(image, ax=field_ax, shrink=0.8, ticks=[-limit, 0, limit])
    bar.ax.set_yticklabels(["OFF", "0", "ON"])

    # Cross-section along the line across the bars: the Gaussian window times a cosine
    distance = torch.linspace(-half, half, 200)
    window = torch.exp(-distance**2 / (2 * cortex.CELL_SIGMA**2))
    profile = window * torch.cos(2 * math.pi * distance / cortex.CELL_WAVELENGTH)
    on_colour, off_colour = colormaps[DIVERGING_CMAP]((0.85, 0.15))
    profile_ax.axhline(0, color=GREY, lw=1)
    profile_ax.fill_between(distance, profile, 0, where=profile > 0, color=on_colour,
                            label="ON: light excites")
    profile_ax.fill_between(distance, profile, 0, where=profile < 0, color=off_colour,
                            label="OFF: dark excites")
    profile_ax.plot(distance, profile, color="black", lw=2)
    profile_ax.plot(distance, window, "--", color=GREY, lw=1.5, label="Gaussian window")
    profile_ax.set_xlabel("position across the bars (pixels)")
    profile_ax.set_ylabel("weight")
    profile_ax.legend(frameon=False, loc="upper left")
    profile_ax.set_ylim(-1.0, 1.75)
    return fig


def _thumbnail(ax, picture: torch.Tensor, x: float, y: float, size: float, cmap: str,
               limit: float = 1.0) -> None:
    """A small framed picture centred at data point (x, y) of ax."""
    inset = ax.inset_axes((x - size / 2, y - size / 2, size, size), transform=ax.transData)
    inset.imshow(picture.numpy(), cmap=cmap, vmin=-limit, vmax=limit, interpolation="bilinear")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.spines[:].set_visible(True)


def gabor_tuning_curve() -> Figure:
    """Orientation tuning curve of the Gabor model cell, probed with drifting gratings."""
    orientations, responses = cortex.model_cell_tuning()
    responses = responses / responses.max()
    preferred, width = cortex.preferred_orientation(), cortex.tuning_width()
    fig = new_figure(9, 4.5)
    ax = fig.add_subplot()
    ax.plot(orientations, responses, color=RED)
    ax.axvline(preferred, color=GREY, ls=":", lw=1.5)
    ax.annotate("", xy=(preferred - width / 2, 0.5), xytext=(preferred + width / 2, 0.5),
                arrowprops={"arrowstyle": "<->", "color": BLUE, "lw": 2})
    ax.text(preferred + width / 2 + 3, 0.5, f"width at half height: {width:.0f}°",
            color=BLUE, va="center")
    for orientation in (0, 45, 90, 135, 180):  # the stimuli, above their orientation
        stimulus = cortex.grating(cortex.CELL_SIZE, cortex.CELL_WAVELENGTH, orientation)
        _thumbnail(ax, stimulus, orientation, 1.33, 17, "gray")
    rf = cortex.model_cell()
    _thumbnail(ax, rf, 155, 0.82, 22, DIVERGING_CMAP, rf.abs().max().item())
    ax.text(155, 0.52, "receptive field", ha="center", va="top", fontsize=14)
    ax.set_xlim(0, 180)
    ax.set_ylim(0, 1.5)
    ax.set_xticks(range(0, 181, 45))
    ax.set_yticks([0, 0.5, 1])
    ax.set_xlabel("grating orientation (degrees)")
    ax.set_ylabel("response (relative)")
    return fig


# ---------------------------------------------------------------- maps on the cortex
ECCENTRICITIES = (1.0, 2.5, 5.0, 10.0, 20.0, 40.0)  # degrees of visual angle
POLAR_ANGLES = (-90.0, -45.0, 0.0, 45.0, 90.0)  # right visual field, lower to upper
FOVEA = 2.5  # degrees: the central region shaded in both panels


def _ring(eccentricity: float) -> torch.Tensor:
    """Points of one eccentricity ring across the right visual field (complex, degrees)."""
    return cortex.polar_point(torch.full((200,), eccentricity), torch.linspace(-90, 90, 200))


def _ray(angle: float) -> torch.Tensor:
    """Points of one polar-angle ray from the fovea to 40 degrees (complex, degrees)."""
    eccentricities = torch.linspace(0, ECCENTRICITIES[-1], 400)
    return cortex.polar_point(eccentricities, torch.full((400,), angle))


def _fovea_outline() -> torch.Tensor:
    """Boundary of the central half disc of radius FOVEA (complex, degrees)."""
    down = cortex.polar_point(torch.linspace(FOVEA, 0, 50), torch.full((50,), 90.0))
    up = cortex.polar_point(torch.linspace(0, FOVEA, 50), torch.full((50,), -90.0))
    return torch.cat([_ring(FOVEA), down, up])  # arc upwards, then the vertical meridian


def retinotopy() -> Figure:
    """The right visual field and its image in left V1 under the complex-log model."""
    fig = new_figure(7.5, 3.6)  # shown in a column about 700 px wide: legend text 14 pt -> 18 px
    field_ax, cortex_ax = fig.subplots(1, 2, width_ratios=(1, 1.15))
    shades = colormaps["viridis"](torch.linspace(0, 0.9, len(ECCENTRICITIES)).tolist())
    for ax, transform in ((field_ax, lambda z: z), (cortex_ax, cortex.complex_log_map)):
        fovea = transform(_fovea_outline())
        ax.add_patch(Polygon(torch.stack([fovea.real, fovea.imag], 1).numpy(),
                             facecolor=ORANGE, alpha=0.45, edgecolor="none",
                             label=f"central {FOVEA:g}°"))
        for angle in POLAR_ANGLES:
            w = transform(_ray(angle))
            ax.plot(w.real, w.imag, color=GREY, lw=1.5)
        for eccentricity, shade in zip(ECCENTRICITIES, shades):
            w = transform(_ring(eccentricity))
            ax.plot(w.real, w.imag, color=shade, lw=2.5, label=f"{eccentricity:g}°")
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.spines[:].set_visible(False)
    field_ax.set_title("right visual field")
    field_ax.annotate("fovea", xy=(0.5, 0), xytext=(12, -9), color=ORANGE, fontweight="bold",
                      arrowprops={"arrowstyle": "->", "color": ORANGE, "lw": 2})
    cortex_ax.set_title(r"left V1: $w = \log(z + a)$")
    cortex_ax.set_xlabel("fovea → periphery")
    cortex_ax.legend(title="eccentricity", frameon=False, reverse=True, loc="center left",
                     bbox_to_anchor=(1.0, 0.5))
    return fig


def orientation_map() -> Figure:
    """A synthetic orientation map: hue = preferred orientation, dots = pinwheel centres."""
    crop = cortex.MAP_SIZE // 2  # show a quarter of the periodic map
    z = cortex.orientation_map()[:crop, :crop]
    angles = cortex.preferred_orientations(z)
    rows, cols, _ = cortex.find_pinwheels(z)
    inside = (rows < crop - 1) & (cols < crop - 1)  # the crop edge is not periodic
    fig = new_figure(5, 3.5)  # shown in a column about 440 px wide: 14 pt -> 17 px
    map_ax, key_ax = fig.subplots(1, 2, width_ratios=(1, 0.3))
    # Colour first, then smooth: 0 and 180 degrees are the same red, so no seam appears
    map_ax.imshow(colormaps["hsv"](angles.numpy() / 180), interpolation="bilinear")
    map_ax.plot(cols[inside], rows[inside], "o", color="white",
                markeredgecolor="black", markersize=6)
    wavelength = cortex.MAP_WAVELENGTH
    map_ax.plot([8, 8 + wavelength], [crop - 8, crop - 8], color="black", lw=4)
    map_ax.text(8 + wavelength / 2, crop - 11, "column spacing", ha="center", va="bottom",
                fontsize=14, fontweight="bold")
    map_ax.axis("off")
    _orientation_key(key_ax)
    return fig


def _orientation_key(ax) -> None:
    """Colour key: a bar at each orientation, drawn in that orientation's hue."""
    hues = colormaps["hsv"]
    for i, orientation in enumerate(range(0, 180, 30)):
        theta = math.radians(orientation)
        dx, dy = 0.4 * math.cos(theta), 0.4 * math.sin(theta)
        ax.plot([-dx, dx], [i - dy, i + dy], color=hues(orientation / 180), lw=6,
                solid_capstyle="round")
        ax.text(0.75, i, f"{orientation}°", va="center")
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylim(-0.7, 5.7)
    ax.set_aspect("equal")
    ax.axis("off")
