//! Bring-your-own-model: the operators added for imported networks
//! (grouped and dilated convolution, matmul, upsampling) and the ONNX
//! front end.

mod exported;
mod folded;
mod grouped;
mod import;
mod torchvision;
mod transformers;
mod upsampling_and_attention;
