package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** An empty image of the Volume's size. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BlankSource() {}
