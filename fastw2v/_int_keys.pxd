from libc.stdint cimport int64_t
from fastw2v._csrc cimport fw2v_int_index, fw2v_int_counter

cdef class IntIndex:
    cdef fw2v_int_index index
    cdef object buffer          # int64 ndarray; keys[0 .. index.size) are indexed
    cdef int64_t *data          # buffer's data
    cdef int64_t capacity       # len(buffer)
    cdef _adopt_buffer(self, arr)
    cpdef int64_t find(self, int64_t key)

cdef class IntCounter:
    cdef fw2v_int_counter counter
    cdef _copy(self, int64_t *src)
