"""Small models of the visual cortex: simple cells, tuning curves, retinotopy, orientation maps."""
from __future__ import annotations

import math

import torch

# The model simple cell used on the slides: its receptive field is a Gabor filter.
CELL_SIZE = 33  # pixels on a side
CELL_WAVELENGTH = 8.0  # pixels per ON/OFF cycle
CELL_ORIENTATION = 45.0  # degrees, counter-clockwise from horizontal bars
CELL_SIGMA = 5.0  # width of the Gaussian envelope, pixels

# The synthetic orientation map: a periodic square of cortex
MAP_SIZE = 256  # pixels on a side
MAP_WAVELENGTH = 32.0  # pixels between repeats of the same orientation (column spacing)


def _coordinates(size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixel coordinates x (rightwards) and y (upwards), centred on the middle pixel."""
    half = (size - 1) / 2
    ys, xs = torch.meshgrid(torch.linspace(half, -half, size),
                            torch.linspace(-half, half, size), indexing="ij")
    return xs, ys


# [start:receptive_field]
def grating(size: int, wavelength: float, orientation: float,
            phase: float = 0.0) -> torch.Tensor:
    """A sinusoidal grating of bars at `orientation` degrees (0 = horizontal bars)."""
    x, y = _coordinates(size)
    theta = math.radians(orientation)
    # Distance across the bars: the bars run along (cos theta, sin theta)
    across = -x * math.sin(theta) + y * math.cos(theta)
    return torch.cos(2 * math.pi * across / wavelength + phase)


def gabor(size: int, wavelength: float, orientation: float,
          sigma: float, phase: float = 0.0) -> torch.Tensor:
    """Receptive field of a V1 simple cell: a grating seen through a Gaussian window."""
    x, y = _coordinates(size)
    window = torch.exp(-(x**2 + y**2) / (2 * sigma**2))
    # Positive values: ON subregions (light excites), negative: OFF (dark excites)
    return window * grating(size, wavelength, orientation, phase)
# [end:receptive_field]


# [start:tuning]
def simple_cell_response(receptive_field: torch.Tensor,
                         stimulus: torch.Tensor) -> torch.Tensor:
    """Firing rate of a linear-rectified model cell: relu(receptive field . stimulus)."""
    return torch.relu((receptive_field * stimulus).sum())


def tuning_curve(receptive_field: torch.Tensor, orientations: torch.Tensor,
                 wavelength: float, n_phases: int = 8) -> torch.Tensor:
    """Peak response to a drifting grating at each orientation (degrees)."""
    size = receptive_field.shape[-1]
    phases = torch.arange(n_phases) * 2 * math.pi / n_phases
    responses = []
    for orientation in orientations.tolist():
        # A drifting grating sweeps all phases; the cell fires most at the best one
        rates = [simple_cell_response(receptive_field,
                                      grating(size, wavelength, orientation, p))
                 for p in phases.tolist()]
        responses.append(max(rates))
    return torch.stack(responses)
# [end:tuning]


def model_cell() -> torch.Tensor:
    """The Gabor receptive field of the model simple cell shown on the slides."""
    return gabor(CELL_SIZE, CELL_WAVELENGTH, CELL_ORIENTATION, CELL_SIGMA)


def model_cell_tuning(step: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Orientations 0..180 degrees and the model cell's responses to them."""
    orientations = torch.arange(0.0, 180.0, step)
    return orientations, tuning_curve(model_cell(), orientations, CELL_WAVELENGTH)


def preferred_orientation() -> float:
    """Orientation (degrees) at which the model cell's tuning curve peaks."""
    orientations, responses = model_cell_tuning()
    return orientations[responses.argmax()].item()


def tuning_width() -> float:
    """Full width at half maximum of the model cell's tuning curve, in degrees."""
    orientations, responses = model_cell_tuning(step=0.5)
    above_half = responses >= responses.max() / 2
    return above_half.sum().item() * 0.5


def complex_log_map(z: torch.Tensor, a: float = 0.7) -> torch.Tensor:
    """Schwartz (1977): visual-field point z = x + iy (degrees) -> V1 point log(z + a).

    The log gives the centre of gaze much more cortex than the periphery (cortical
    magnification); adding `a` keeps the fovea itself at a finite place.
    """
    return torch.log(z + a)


def polar_point(eccentricity: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """Visual-field position as a complex number from eccentricity and polar angle (degrees)."""
    return torch.polar(eccentricity.double(), torch.deg2rad(angle.double()))


# [start:orientation_model]
def band_pass_ring(size: int, wavelength: float, bandwidth: float) -> torch.Tensor:
    """Filter in Fourier space keeping spatial frequencies near 1 / wavelength."""
    fy, fx = torch.meshgrid(torch.fft.fftfreq(size), torch.fft.fftfreq(size), indexing="ij")
    frequency = torch.hypot(fx, fy).double()  # cycles per pixel
    return torch.exp(-((frequency * wavelength - 1) / bandwidth) ** 2 / 2)


def orientation_map(size: int = MAP_SIZE, wavelength: float = MAP_WAVELENGTH,
                    bandwidth: float = 0.2, seed: int = 0) -> torch.Tensor:
    """A synthetic orientation map: complex white noise, band-pass filtered.

    Returns the complex field z; preferred orientation = angle(z) / 2, in 0..180 degrees.
    """
    noise = torch.randn(size, size, dtype=torch.complex128,
                        generator=torch.Generator().manual_seed(seed))
    # One band of frequencies: similar orientations repeat every ~wavelength pixels
    ring = band_pass_ring(size, wavelength, bandwidth)
    return torch.fft.ifft2(torch.fft.fft2(noise) * ring)


def preferred_orientations(z: torch.Tensor) -> torch.Tensor:
    """Preferred orientation in degrees (0..180): orientation repeats every 180, angle every 360."""
    return torch.rad2deg(torch.angle(z)) % 360 / 2
# [end:orientation_model]


def find_pinwheels(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Rows, columns and signs (+1 / -1) of pinwheel centres: where the angle of z winds once.

    Walks around every 2x2 square of pixels, summing the wrapped angle steps; a total of
    +-2 pi means z = 0 (all orientations meet) inside that square. The map is periodic.
    """
    angle = torch.angle(z)
    corners = [angle,
               torch.roll(angle, -1, dims=1),
               torch.roll(angle, (-1, -1), dims=(0, 1)),
               torch.roll(angle, -1, dims=0)]
    winding = torch.zeros_like(angle)
    for start, end in zip(corners, corners[1:] + corners[:1]):
        step = end - start
        winding += torch.remainder(step + math.pi, 2 * math.pi) - math.pi
    charge = torch.round(winding / (2 * math.pi)).long()
    rows, cols = torch.nonzero(charge, as_tuple=True)
    return rows + 0.5, cols + 0.5, charge[rows, cols]


def expected_pinwheel_density(size: int = MAP_SIZE, wavelength: float = MAP_WAVELENGTH,
                              bandwidth: float = 0.2) -> float:
    """Pinwheels per wavelength^2 expected in a random map: <k^2> / (4 pi) * wavelength^2.

    k is the angular spatial frequency; <k^2> is its mean under the map's power spectrum
    (zeros of isotropic random waves, Berry & Dennis 2000). For a narrow ring this is pi,
    close to the density measured in the visual cortex of several species (Kaschube et
    al. 2010).
    """
    fy, fx = torch.meshgrid(torch.fft.fftfreq(size), torch.fft.fftfreq(size), indexing="ij")
    k = 2 * math.pi * torch.hypot(fx, fy).double()  # angular frequency
    power = band_pass_ring(size, wavelength, bandwidth) ** 2
    mean_k2 = (k**2 * power).sum() / power.sum()
    return (mean_k2 / (4 * math.pi) * wavelength**2).item()


def pinwheel_density() -> float:
    """Pinwheels per column wavelength squared, counted in the default synthetic map."""
    rows, _, _ = find_pinwheels(orientation_map())
    return len(rows) / (MAP_SIZE / MAP_WAVELENGTH) ** 2


def local_stretch(eccentricity: float, a: float = 0.7, step: float = 1e-4) -> float:
    """Cortical length per degree at an eccentricity on the horizontal meridian."""
    z = torch.tensor(eccentricity, dtype=torch.complex128)
    return (complex_log_map(z + step, a) - complex_log_map(z, a)).abs().item() / step


def magnification_ratio(near: float = 1.0, far: float = 20.0) -> float:
    """How much more cortex one degree gets at eccentricity `near` than at `far`."""
    return local_stretch(near) / local_stretch(far)


def tuning_demo() -> None:
    """Print the model cell's response to gratings at a few orientations."""
    orientations = torch.tensor([0.0, 22.5, 45.0, 67.5, 90.0, 135.0])
    responses = tuning_curve(model_cell(), orientations, CELL_WAVELENGTH)
    for orientation, response in zip(orientations, responses / responses.max()):
        bar = "#" * round(30 * response.item())
        print(f"{orientation:5.1f} deg  {response:4.2f}  {bar}")
