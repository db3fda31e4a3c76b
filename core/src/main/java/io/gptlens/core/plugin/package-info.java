/**
 * Named providers found through {@link java.util.ServiceLoader}: the common {@link io.gptlens.core.plugin.NamedProvider}
 * contract, typed parameter descriptions ({@link io.gptlens.core.plugin.ParamSpec}, {@link io.gptlens.core.plugin.Params})
 * and look-up by name ({@link io.gptlens.core.plugin.NamedProviders}).
 */
package io.gptlens.core.plugin;
