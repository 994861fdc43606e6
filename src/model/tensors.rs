//! Moving rows of ndarray matrices to and from burn tensors.

use burn::prelude::*;
use burn::tensor::TensorData;
use ndarray::{Array2, ArrayView2};

/// Gathers rows `idx` of `a` into a (len × cols) tensor on `device`.
pub fn rows_to_tensor(a: ArrayView2<f32>, idx: &[u32], device: &Device) -> Tensor<2> {
    let cols = a.ncols();
    let mut v: Vec<f32> = Vec::with_capacity(idx.len() * cols);
    for &i in idx {
        v.extend(a.row(i as usize).iter());
    }
    Tensor::from_data(TensorData::new(v, [idx.len(), cols]), device)
}

/// A tensor back to an ndarray matrix.
pub fn tensor_to_array(t: Tensor<2>) -> Result<Array2<f32>, String> {
    let [r, c] = t.dims();
    let v: Vec<f32> = t
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| format!("{e:?}"))?;
    Array2::from_shape_vec((r, c), v).map_err(|e| e.to_string())
}

/// A scalar tensor's value.
pub fn scalar(t: Tensor<1>) -> f64 {
    let v: f32 = t.into_scalar();
    f64::from(v)
}
