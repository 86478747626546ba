package io.fastvm.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Where the content of a Volume comes from: exactly one of the fields. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "[has(self.blank), has(self.http), has(self.volume), has(self.snapshot)].filter(x,"
            + " x).size() == 1",
    message = "source needs exactly one of blank, http, volume, snapshot")
public record VolumeSource(
    @JsonPropertyDescription("An empty image.") BlankSource blank,
    @JsonPropertyDescription("Download an image over HTTP(S).") HttpSource http,
    @JsonPropertyDescription("Clone another Volume (overlay or full copy).")
        VolumeCloneSource volume,
    @JsonPropertyDescription("Restore a disk of a Snapshot into this new Volume.")
        SnapshotRestoreSource snapshot) {}
