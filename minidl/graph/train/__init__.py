"""``tf.train``: optimizers, the global step, learning-rate schedules, moving averages, ``Saver``, ``write_graph``
and ``export_meta_graph``/``import_meta_graph``; ``MonitoredTrainingSession`` with its hooks, the older
``Supervisor``, ``Coordinator``, ``summary_iterator`` (reading event files back), and the ``Example``
messages of TFRecord data files (example_proto.py)."""
from .basic_hooks import (CheckpointSaverHook, CheckpointSaverListener, FeedFnHook, FinalOpsHook, LoggingTensorHook,
                          NanLossDuringTrainingError, NanTensorHook, SecondOrStepTimer, StepCounterHook, StopAtStepHook,
                          SummarySaverHook)
from .coordinator import Coordinator, LooperThread
from .dual_averaging import AdagradDAOptimizer
from .checkpoint_waiting import checkpoints_iterator, get_checkpoint_mtimes, wait_for_new_checkpoint
from .graph_io import write_graph
from .init_from_checkpoint import init_from_checkpoint
from ..meta_graph import export_meta_graph, import_meta_graph
from .monitored_session import (ChiefSessionCreator, MonitoredSession, MonitoredTrainingSession, Scaffold,
                                SingularMonitoredSession)
from .moving_averages import ExponentialMovingAverage
from .optimizer import Optimizer
from .optimizers import (AdadeltaOptimizer, AdagradOptimizer, AdamOptimizer, GradientDescentOptimizer,
                         MomentumOptimizer, RMSPropOptimizer)
from .queue_runner import QueueRunner, add_queue_runner, start_queue_runners
from .input import (batch, batch_join, input_producer, limit_epochs, maybe_batch, maybe_batch_join,
                    maybe_shuffle_batch, maybe_shuffle_batch_join, range_input_producer, shuffle_batch,
                    shuffle_batch_join, slice_input_producer, string_input_producer)
from . import queue_runner  # tf.train.queue_runner.QueueRunner ...
from .proximal_optimizers import FtrlOptimizer, ProximalAdagradOptimizer, ProximalGradientDescentOptimizer
from .saver import (CheckpointState, NewCheckpointReader, Saver, SaverDef, checkpoint_exists, get_checkpoint_state,
                    latest_checkpoint, list_variables, load_checkpoint, load_variable)
from .schedules import (cosine_decay, cosine_decay_restarts, create_global_step, exponential_decay, get_global_step,
                        get_or_create_global_step, global_step, inverse_time_decay, linear_cosine_decay,
                        natural_exp_decay, noisy_linear_cosine_decay, piecewise_constant, polynomial_decay)
from .session_run_hook import SessionRunArgs, SessionRunContext, SessionRunHook, SessionRunValues
from .supervisor import Supervisor
from ..file_ops import match_filenames_once
from ..summary_reading import summary_iterator
from ..example_proto import BytesList, Example, Feature, Features, FloatList, Int64List
