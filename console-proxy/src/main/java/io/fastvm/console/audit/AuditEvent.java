package io.fastvm.console.audit;

/**
 * One audited step of a console: a link minted or refused, redeemed or refused, a connection opened
 * or closed, a session ended. Unknown fields are null and left out of the line.
 *
 * @param event mint, redeem, open, close, end or refuse-ws
 * @param outcome ok, or why it was refused or ended (expired, replayed, forbidden, vm-stopped, ...)
 * @param status HTTP status answered (0 when none applies)
 * @param user Kubernetes user name
 * @param namespace VM namespace
 * @param vm VM name
 * @param protocol vnc, spice or serial
 * @param source client address
 * @param session session id (public part)
 * @param durationMs for close and end: how long the connection or session lasted
 * @param bytesToClient for close and end: bytes sent to the browser
 * @param bytesToVm for close and end: bytes sent to the VM
 * @param viewOnly whether the link or session is view-only
 */
public record AuditEvent(
    String event,
    String outcome,
    int status,
    String user,
    String namespace,
    String vm,
    String protocol,
    String source,
    String session,
    Long durationMs,
    Long bytesToClient,
    Long bytesToVm,
    Boolean viewOnly) {

  public static AuditEvent of(String event, String outcome, int status) {
    return new AuditEvent(
        event, outcome, status, null, null, null, null, null, null, null, null, null, null);
  }

  /** The same step with another outcome and HTTP status. */
  public AuditEvent outcome(String value, int httpStatus) {
    return new AuditEvent(
        event,
        value,
        httpStatus,
        user,
        namespace,
        vm,
        protocol,
        source,
        session,
        durationMs,
        bytesToClient,
        bytesToVm,
        viewOnly);
  }

  public AuditEvent user(String value) {
    return new AuditEvent(
        event,
        outcome,
        status,
        value,
        namespace,
        vm,
        protocol,
        source,
        session,
        durationMs,
        bytesToClient,
        bytesToVm,
        viewOnly);
  }

  public AuditEvent vm(String ns, String name) {
    return new AuditEvent(
        event,
        outcome,
        status,
        user,
        ns,
        name,
        protocol,
        source,
        session,
        durationMs,
        bytesToClient,
        bytesToVm,
        viewOnly);
  }

  public AuditEvent protocol(String value) {
    return new AuditEvent(
        event,
        outcome,
        status,
        user,
        namespace,
        vm,
        value,
        source,
        session,
        durationMs,
        bytesToClient,
        bytesToVm,
        viewOnly);
  }

  public AuditEvent source(String value) {
    return new AuditEvent(
        event,
        outcome,
        status,
        user,
        namespace,
        vm,
        protocol,
        value,
        session,
        durationMs,
        bytesToClient,
        bytesToVm,
        viewOnly);
  }

  public AuditEvent session(String value) {
    return new AuditEvent(
        event,
        outcome,
        status,
        user,
        namespace,
        vm,
        protocol,
        source,
        value,
        durationMs,
        bytesToClient,
        bytesToVm,
        viewOnly);
  }

  public AuditEvent traffic(long millis, long toClient, long toVm) {
    return new AuditEvent(
        event, outcome, status, user, namespace, vm, protocol, source, session, millis, toClient,
        toVm, viewOnly);
  }

  public AuditEvent viewOnly(boolean value) {
    return new AuditEvent(
        event,
        outcome,
        status,
        user,
        namespace,
        vm,
        protocol,
        source,
        session,
        durationMs,
        bytesToClient,
        bytesToVm,
        value);
  }
}
