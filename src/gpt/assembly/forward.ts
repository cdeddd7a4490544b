// The engine as the chapter pages run it: gpt.ts's forward pass, loss and read-outs, without the
// backward pass and the optimiser. Compiled to gpt-forward.wasm, which every page loads unless it
// trains (the training chapter and the whole article load gpt.wasm, the full engine, for both of
// their workers). The same source and kernels: only what is exported differs, and with it what the
// compiler keeps, so a page that never trains downloads about a third of the engine.
export {
  TOK_EMB, POS_EMB, ENCODED, LN1, LN1_MEAN, LN1_RSTD, QKV, PREATT, ATT_MAX, ATT_SUM, ATT, ATTY, ATTPROJ, RESID1,
  LN2, LN2_MEAN, LN2_RSTD, FCH, FCH_GELU, FCPROJ, RESID2, LNF, LNF_MEAN, LNF_RSTD, LOGITS, PROBS, PROBS_MAX,
  PROBS_SUM, LOSSES,
  init, params_ptr, num_params, ids_ptr, targets_ptr, act_ptr,
  ablate_heads_ptr, ablate_mlp_ptr, ablate_head_means_ptr, ablate_mlp_means_ptr,
  prepare_weights, forward, loss,
} from './gpt';
