/**
 * The label-free accuracy signal as the router sees it: {@link io.pabee.shadow.ShadowListener} reads the
 * workers' shadow results into an {@link io.pabee.adaptive.AgreementWindow} the patience controller consults.
 */
package io.pabee.shadow;
