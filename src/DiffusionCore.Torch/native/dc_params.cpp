// Parameter maintenance for nn.Module: replace a tensor's data while keeping its identity (torch.Tensor.data = x).
#include "dc_common.h"

using dc::T;

extern "C" {

int dc_tensor_set_data(dc_tensor t, dc_tensor data) {
  DC_TRY
  T(t).set_data(T(data));
  DC_CATCH
}

}  // extern "C"
