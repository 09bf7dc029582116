"""Matplotlib figures the lessons share, one module per topic.

Each function draws one teaching figure on a given (or new) ``Axes`` and returns it, so a lesson
shows it with one call and ``plt.show()``.  matplotlib is imported inside the functions, so
``import numformat`` (and even ``import numformat.plots``) stays light.
"""

from .integers import (  # noqa: F401
    plot_number_wheel,
    plot_wraparound,
    plot_memory,
)
from .floats import (  # noqa: F401
    plot_ulp,
    plot_value_grid,
    plot_relative_spacing,
)
from .fixed import (  # noqa: F401
    plot_qformat_bits,
    plot_range_resolution,
    plot_rounding_modes,
    plot_rounding_bias,
    plot_overflow,
    plot_fixed_vs_float_error,
    plot_fixed_vs_float_signal,
)
from .adc import (  # noqa: F401
    plot_sampling,
    plot_alias_folding,
    plot_wagon_wheel,
    plot_spectrum,
    plot_spectrogram,
    plot_reconstruction,
    plot_staircase,
    plot_quantization_error,
    plot_sqnr_vs_bits,
    plot_companding,
    plot_sqnr_vs_level,
)
from .measure import (  # noqa: F401
    plot_sine_fit,
    plot_tone_spectrum,
    plot_linearity,
    plot_shaped_noise,
    plot_bitstream,
)
from .quant import (  # noqa: F401
    plot_affine_mapping,
    plot_code_histogram,
    plot_channel_ranges,
    plot_error_bars,
    plot_calibration_ranges,
)
from .inference import (  # noqa: F401
    plot_accumulator_growth,
    plot_mac_window,
    plot_int8_vs_float,
    plot_requantization_error,
    plot_energy_per_operation,
    plot_digit_predictions,
    HOROWITZ_45NM_PJ,
)
from .qat import (  # noqa: F401
    plot_fake_quant_ste,
    plot_accuracy_vs_bits,
    plot_sensitivity,
    plot_grid_spacing,
)
from .compress import (  # noqa: F401
    plot_size_waterfall,
    plot_shared_weights,
    plot_power_of_two_levels,
)
from .blocks import (  # noqa: F401
    plot_block,
    plot_four_bit_levels,
    plot_bits_tradeoff,
    plot_outlier_study,
)
from .spoken import (  # noqa: F401
    plot_voice_and_codes,
    plot_log_mel,
    plot_feature_maps,
    plot_confusion,
    confusion_counts,
    plot_levers,
    plot_voices,
    plot_words_heard,
)
from .course import (  # noqa: F401
    format_fields,
    plot_format_bits,
    plot_course_map,
)
