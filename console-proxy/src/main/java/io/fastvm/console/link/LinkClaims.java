package io.fastvm.console.link;

import io.fastvm.console.auth.UserInfo;
import io.fastvm.contract.console.ConsoleChannel;
import java.time.Instant;

/**
 * What a one-time console link grants: this user, this VM (by namespace, name and UID, so a VM
 * re-created under the same name is another VM), this protocol, until {@code expiresAt}.
 *
 * @param id unique token id; each id redeems once
 */
public record LinkClaims(
    String id,
    UserInfo user,
    String namespace,
    String vm,
    String vmUid,
    ConsoleChannel protocol,
    boolean viewOnly,
    Instant issuedAt,
    Instant expiresAt) {}
