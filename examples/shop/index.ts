/*
 * The example product: a small SaaS ("shop") and every flow of personal data it sends to a vendor.
 * Each flow is a vendorgate Integration; the policy pack judges them all at preview time.
 *
 * The stacks differ by config: `prod` (Pulumi.prod.yaml) still runs the analytics setup of
 * the November 2025 Mixpanel incident (identify calls sending names, emails and organization IDs,
 * raw user IDs, a US project) and a marketing sync to a vendor under review; `dev` is the fixed one.
 *
 * The AWS pipeline (an EventBridge bus, and per flow a rule, a target whose input transformer
 * forwards exactly the declared fields, an API destination and a connection) needs the aws
 * provider plugin, which this repository's machines lack: a real `vendorgate preview` would fail
 * on it. So the program adds it only under `vendorgate plan` (which runs it under Pulumi's mocks
 * and sets the config key vendorgate:plan) or when the stack sets `awsPipeline: true` (a machine
 * with the plugin and an AWS account).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Integration, type IntegrationArgs, type IntegrationField } from "vendorgate";

export default function program(): Record<string, unknown> {
  const cfg = new pulumi.Config();
  // The incident setup: Mixpanel's identify() copies the user profile into every event.
  const identifyUsers = cfg.getBoolean("identifyUsers") ?? false;
  const marketingSync = cfg.getBoolean("marketingSync") ?? false;
  const analyticsRegion = cfg.get("analyticsRegion") ?? "eu";
  const awsPipeline = cfg.getBoolean("awsPipeline") ?? new pulumi.Config("vendorgate").getBoolean("plan") ?? false;

  // The application publishes one event per user action to this bus; each flow picks its own.
  const bus = awsPipeline ? new aws.cloudwatch.EventBus("shop-events", {}) : undefined;
  const pipeline = (detailType: string, source?: Record<string, string>): Pick<IntegrationArgs, "eventBridge"> =>
    bus ? { eventBridge: { eventBusName: bus.name, eventPattern: { source: ["shop.app"], "detail-type": [detailType] }, ...(source ? { source } : {}) } } : {};

  const analyticsFields: IntegrationField[] = [
    // The event's name: what the user did.
    { path: "event", category: "user.behavior" },
    { path: "properties.distinct_id", category: "user.unique_id", transform: identifyUsers ? "none" : "pseudonymize" },
    { path: "properties.$os", category: "user.device" },
    { path: "properties.$browser", category: "user.device" },
    { path: "properties.$referrer", category: "user.behavior.browsing_history" },
    { path: "properties.$city", category: "user.location.imprecise" },
  ];
  if (identifyUsers) {
    analyticsFields.push(
      { path: "properties.$name", category: "user.name" },
      { path: "properties.$email", category: "user.contact.email" },
      { path: "properties.org_id", category: "user.contact.organization" },
    );
  }

  const flows = [
    new Integration("product-analytics", {
      vendor: "mixpanel",
      purpose: "analytics.reporting",
      subjects: ["customer"],
      destination: {
        url: analyticsRegion === "eu" ? "https://api-eu.mixpanel.com/track" : "https://api.mixpanel.com/track",
        region: analyticsRegion,
      },
      credentials: { value: cfg.requireSecret("mixpanelToken") },
      fields: analyticsFields,
      // Mixpanel's reserved properties start with "$", which EventBridge paths cannot address:
      // the app's event names them plainly and the transformer maps them into Mixpanel's payload.
      ...pipeline("product-event", {
        event: "$.detail.event",
        // The app sends the pseudonym, or (the incident setup) the raw user ID.
        "properties.distinct_id": identifyUsers ? "$.detail.user.id" : "$.detail.user.pseudonym",
        "properties.$os": "$.detail.device.os",
        "properties.$browser": "$.detail.device.browser",
        "properties.$referrer": "$.detail.page.referrer",
        "properties.$city": "$.detail.geo.city",
        ...(identifyUsers
          ? { "properties.$name": "$.detail.user.name", "properties.$email": "$.detail.user.email", "properties.org_id": "$.detail.user.org_id" }
          : {}),
      }),
    }),
    new Integration("support-chat", {
      vendor: "zendesk",
      purpose: "essential.service.operations.support",
      subjects: ["customer"],
      destination: { url: "https://acme.zendesk.com/api/v2/tickets", region: "eu" },
      credentials: { value: cfg.requireSecret("zendeskToken") },
      fields: [
        { path: "requester.email", category: "user.contact.email" },
        { path: "requester.name", category: "user.name" },
      ],
      ...pipeline("support-request"),
    }),
    new Integration("payments", {
      vendor: "stripe",
      purpose: "essential.service.payment_processing",
      subjects: ["customer"],
      destination: { url: "https://api.stripe.com/v1/customers", region: "eu" },
      credentials: { value: cfg.requireSecret("stripeKey") },
      fields: [
        { path: "email", category: "user.contact.email" },
        { path: "name", category: "user.name" },
        { path: "metadata.user_id", category: "user.unique_id" },
      ],
    }),
    new Integration("marketing-sync", {
      vendor: "hubspot",
      purpose: "marketing.communications.email",
      subjects: ["customer"],
      enabled: marketingSync,
      destination: { url: "https://api.hubapi.com/crm/v3/objects/contacts", region: "eu" },
      // A plain config value, not a secret: the kind of slip VG011 exists for.
      credentials: { value: cfg.get("hubspotKey") ?? "" },
      fields: [
        { path: "properties.email", category: "user.contact.email" },
        { path: "properties.firstname", category: "user.name.first" },
      ],
    }),
  ];
  return { integrations: flows.map((f) => f.urn) };
}
