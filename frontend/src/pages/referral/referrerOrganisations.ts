// The organisations a referral may come from (Arbetsförmedlingen, Försäkringskassan, the own
// kommun's socialtjänst …), for the referrer picker of the new-referral form.
import { api, unwrap, type Schemas } from "../../api/client";

export type ReferrerOrganisation = Schemas["ReferrerOrganisationRead"];

/** The referrer organisations of the caller's municipality and the national ones, by name. */
export async function fetchReferrerOrganisations(): Promise<ReferrerOrganisation[]> {
  return unwrap(await api.GET("/api/v1/referrer-organisations")).items;
}
