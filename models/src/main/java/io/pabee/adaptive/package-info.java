/**
 * Load-adaptive PABEE: the patience controller and its plan, per-event latency budgets, the patience
 * profile measured on dev that predicts each patience's cost, and shadow sampling for a label-free
 * agreement signal. Pure Java: routers and workers feed it measurements and apply its plan.
 */
package io.pabee.adaptive;
