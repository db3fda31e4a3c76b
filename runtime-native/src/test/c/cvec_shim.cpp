// A C entry to llama.cpp's own control-vector loader, common_control_vector_load (libcommon, which
// the prebuilt libraries do not ship), for ControlVectorLoaderTest. Built by the test against the
// fetched llama.cpp source's common/ and linked to the prebuilt libllama and libggml.
#include "common.h"

#include <cstring>

// The layers llama.cpp reads from path at strength, into out (layers 1 to n,
// n_embd floats each): returns n_embd, -1 when the loader refuses the file, -2 when out is too small.
extern "C" int gptlens_cvec_load(const char * path, float strength, float * out, long capacity, long * written) {
    common_control_vector_load_info info;
    info.strength = strength;
    info.fname = path;
    common_control_vector_data d = common_control_vector_load({info});
    if (d.n_embd < 0) {
        return -1;
    }
    long n = (long) d.data.size();
    *written = n;
    if (n > capacity) {
        return -2;
    }
    std::memcpy(out, d.data.data(), sizeof(float) * n);
    return d.n_embd;
}
