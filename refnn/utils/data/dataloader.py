"""DataLoader: batches from a dataset, as torch's, in one process or in forked workers.

Shuffling draws from a refnn generator (``generator=``, or refnn's default one, which
``refnn.manual_seed`` sets): the same seed gives the same batches on every run, but not torch's order.

``num_workers > 0`` forks worker processes (POSIX only; refused elsewhere).  The main process draws every
batch's indices from the sampler, exactly as with ``num_workers=0``; the workers only fetch and collate,
and their batches are returned in the sampler's order.  So the batches are the very batches
``num_workers=0`` gives, provided the dataset's ``__getitem__`` draws no random numbers (a worker's copy
of a random generator does not advance the parent's).  An IterableDataset is refused with workers
(torch replicates it in each worker, which changes what is yielded).
"""
import multiprocessing
import os

from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler


class _InfiniteConstantSampler:
    def __iter__(self):
        while True:
            yield None


_worker_state = {}


def _worker_fetch(indices):
    """In a worker: fetch and collate one batch (the dataset and collate_fn were inherited at fork)."""
    loader = _worker_state["loader"]
    return loader._fetch(indices)


class DataLoader:
    """torch.utils.data.DataLoader: batch_size, shuffle, sampler, batch_sampler, drop_last, collate_fn,
    num_workers (see the module docstring), generator."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None,
                 persistent_workers=False, pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers "
                             "> 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if num_workers > 0:
            if isinstance(dataset, IterableDataset):
                raise ValueError("refnn's DataLoader: num_workers > 0 is not supported for an IterableDataset "
                                 "(each worker would iterate its own copy); use num_workers=0")
            if "fork" not in multiprocessing.get_all_start_methods():
                raise RuntimeError("refnn's DataLoader: num_workers > 0 needs the 'fork' start method, which "
                                   "this platform lacks; use num_workers=0")
            if not in_order:
                raise ValueError("refnn's DataLoader: in_order=False is not supported (batches always come in "
                                 "the sampler's order)")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self.generator = generator

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = "iterable"
            if shuffle not in {False, None}:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 f"shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but got "
                                 f"sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                                 f"but got batch_sampler={batch_sampler}")
        else:
            self._dataset_kind = "map"
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if sampler is None:
            if self._dataset_kind == "iterable":
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def _fetch(self, index):
        if self._auto_collation:
            return self.collate_fn([self.dataset[i] for i in index])
        return self.collate_fn(self.dataset[index])

    def _iter_iterable(self):
        it = iter(self.dataset)
        if not self._auto_collation:
            for sample in it:
                yield self.collate_fn(sample)
            return
        while True:
            batch = []
            for sample in it:
                batch.append(sample)
                if len(batch) == self.batch_size:
                    break
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield self.collate_fn(batch)
            if len(batch) < self.batch_size:
                return

    def _iter_workers(self):
        _worker_state["loader"] = self
        context = multiprocessing.get_context("fork")
        initializer = None
        if self.worker_init_fn is not None:
            counter = context.Value("i", 0)

            def initializer():
                with counter.get_lock():
                    worker_id = counter.value
                    counter.value += 1
                self.worker_init_fn(worker_id)
        pool = context.Pool(self.num_workers, initializer=initializer)
        try:
            chunk = self.prefetch_factor or 1
            for batch in pool.imap(_worker_fetch, iter(self._index_sampler), chunksize=chunk):
                yield batch
        finally:
            pool.terminate()
            pool.join()
            _worker_state.pop("loader", None)

    def __iter__(self):
        if self._dataset_kind == "iterable":
            return self._iter_iterable()
        if self.num_workers > 0 and os.name == "posix":
            return self._iter_workers()
        return (self._fetch(index) for index in self._index_sampler)

    def __len__(self):
        if self._dataset_kind == "iterable":
            length = len(self.dataset)
            if self.batch_size is not None:
                from math import ceil
                length = length // self.batch_size if self.drop_last else ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)
