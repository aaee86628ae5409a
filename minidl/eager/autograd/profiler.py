"""``torch.autograd.profiler``: the older interface to the profiler, still in much code. ``profile`` here records
what ``torch.profiler.profile`` records (``../profiler.py``) and reads the same way; it also prints its table
itself (``prof.table(...)``, ``print(prof)``) and hands out the events as ``prof.function_events``."""
from ..profiler import profile as _profile, record_function

__all__ = ["profile", "record_function"]


class profile:
    """``with torch.autograd.profiler.profile() as prof:`` records the block's ops unless ``enabled=False``."""

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False, with_flops=False,
                 profile_memory=False, with_stack=False, with_modules=False, use_kineto=False, use_cpu=True,
                 experimental_config=None, acc_events=False, custom_trace_id_callback=None):
        self.enabled = enabled
        self._profile = _profile(record_shapes=record_shapes, profile_memory=profile_memory)

    def __enter__(self):
        if self.enabled:
            self._profile.start()
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self._profile.stop()
        return False

    @property
    def function_events(self):
        return self._profile.events()

    @property
    def self_cpu_time_total(self):
        return self.function_events.self_cpu_time_total

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        return self.function_events.key_averages(group_by_input_shape)

    def total_average(self):
        return self.function_events.total_average()

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False):
        return self.function_events.table(sort_by, row_limit, max_src_column_width, max_name_column_width,
                                          max_shapes_column_width, header, top_level_events_only)

    def export_chrome_trace(self, path):
        self.function_events.export_chrome_trace(path)

    def __str__(self):
        return self.table()
