from fastw2v._csrc cimport fw2v_token_table, fw2v_scan_state, fw2v_tt_keyref
from libc.stdint cimport int64_t

cdef class TokenTable:
    cdef fw2v_token_table table
    cdef public int key_kind
    cdef fw2v_tt_keyref *refs
    cdef int64_t refs_cap
    cdef int _reserve_refs(self, int64_t n) except -1
    cdef int _check_kind(self, object tok, int64_t position) except -1
    cdef int64_t find_object(self, object token, int64_t position) except -2
    cdef int64_t add_object(self, object token, int64_t position) except -2
    cdef tuple _encode(self, sentences, int64_t max_sentence_length, int64_t first_index, int64_t max_words)

cdef class Scanner:
    cdef fw2v_scan_state state
