//! Folded operators in the language (docs/language.md#folded-operators):
//! `softmax`, `layernorm` and `relu` make no layer; their value is their
//! source, inline or named.

use nnc::ir::Source;

#[test]
fn folded_operators_make_no_layer_and_pass_their_source() {
    let text = "network F\ninput t [768, 128, 1]\n\
                up = conv(layernorm(t), 3072, kernel: 1)\n\
                a = relu(up)\n\
                down = conv(softmax(a), 768, kernel: 1)\n\
                res = eltwise(down, relu(t))\n";
    let (net, warnings) = nnc::compile(text).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let names: Vec<&str> = net.layers().iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["up", "down", "res"]);
    let up = net.find("up").unwrap();
    assert_eq!(net.layer(up).inputs, vec![Source::Input.into()]);
    let down = net.layer(net.find("down").unwrap());
    assert_eq!(down.inputs, vec![Source::Layer(up).into()]);
    let res = net.layer(net.find("res").unwrap());
    assert_eq!(res.inputs[1], Source::Input.into());
}

#[test]
fn a_folded_operator_takes_exactly_one_source() {
    for call in ["softmax(t, t)", "relu()"] {
        let text = format!("network F\ninput t [8, 4]\ny = {call}\nz = conv(y, 4, kernel: 1)\n");
        let diags = nnc::compile(&text).unwrap_err();
        let shown = nnc::diag::render(&diags, "f.nn", &text);
        assert!(shown.contains("error[E019]"), "{call}: {shown}");
    }
}
