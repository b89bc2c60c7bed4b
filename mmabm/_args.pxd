# Argument checks shared by the compiled modules: every public entry point converts and
# validates its inputs here, so an error always names the field and its allowed range.
from libc.stdint cimport int8_t, int64_t

cdef int64_t int_arg(object value, str name, int64_t lo, int64_t hi) except? -1
cdef int8_t side_arg(object side) except 0
cdef double positive_arg(object value, str name) except? -1.0
