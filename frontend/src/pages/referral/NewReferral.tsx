import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api, isApiError, type Schemas, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorNotice, errorText, Loading } from "../../components/ErrorNotice";
import { Field } from "../../components/Field";
import { Page } from "../../components/Page";
import { formatDate, todayIso } from "../../lib/dates";
import { ageOn, parsePersonnummer, readyToCheck } from "./personnummer";
import { fetchReferrerOrganisations } from "./referrerOrganisations";
import {
  emptyValues,
  enrolmentBody,
  FIELD_ORDER,
  type FieldErrors,
  type FieldName,
  participantBody,
  serverFieldErrors,
  validate,
  type Values,
} from "./validation";
import "./referral.css";

/** The person the referral will be registered for, once it exists. */
type Target = {
  participantId: number;
  name: string;
  personnummerMasked: string;
  /** "created" by this form (the referral step failed), or an "existing" person picked from the duplicate notice. */
  reason: "created" | "existing";
};

const OPEN_STATES: Schemas["EnrolmentState"][] = ["referred", "intake", "active", "paused"];
const GENDERS: Schemas["Gender"][] = ["woman", "man", "non_binary", "not_stated"];

const fieldId = (name: FieldName) => `referral-${name}`;
const LONG_DATE: Intl.DateTimeFormatOptions = { day: "numeric", month: "long", year: "numeric" };

function useCodeList(name: Schemas["CodeListName"]) {
  return useQuery({
    queryKey: ["code-list", name],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/code-lists/{list_name}", { params: { path: { list_name: name } } })),
    staleTime: 10 * 60_000,
  });
}

/** Register a new referral: the person (checked for duplicates before saving) and the referral. */
export default function NewReferral() {
  const { t, i18n } = useTranslation("referral");
  const { me, can } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const today = useMemo(() => todayIso(), []);
  const english = i18n.language !== "sv";

  const [values, setValues] = useState<Values>(() => emptyValues(today));
  const [target, setTarget] = useState<Target | null>(null);
  const [submitted, setSubmitted] = useState(false);
  // The personnummer is judged once it looks complete, or when the field is left; typing
  // again hides a message until then, so half a number is never called wrong.
  const [personnummerLeft, setPersonnummerLeft] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [referralFailed, setReferralFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  // Where the keyboard focus goes once the next render is on screen (the error summary after a
  // failed save, the personnummer field after "another person"); a new object each time.
  const [focusRequest, setFocusRequest] = useState<{ target: "summary" | FieldName } | null>(null);
  useEffect(() => {
    if (!focusRequest) return;
    if (focusRequest.target === "summary") summaryRef.current?.focus();
    else document.getElementById(fieldId(focusRequest.target))?.focus();
  }, [focusRequest]);

  const programmes = useQuery({
    queryKey: ["programmes"],
    queryFn: async () => unwrap(await api.GET("/api/v1/programmes")),
    staleTime: 60 * 60_000,
  });
  const education = useCodeList("education_level");
  const benefits = useCodeList("benefit");
  const organisations = useQuery({
    queryKey: ["referrer-organisations"],
    queryFn: fetchReferrerOrganisations,
    staleTime: 10 * 60_000,
    enabled: can("enrolment:refer"),
  });

  const personnummer = parsePersonnummer(values.personnummer, today);
  const judgePersonnummer = personnummerLeft || readyToCheck(values.personnummer);
  const searchFor = target === null && personnummer.ok && judgePersonnummer ? personnummer.value.formatted : null;

  // Duplicates before saving: the number goes in a POST body, never in a URL.
  const duplicates = useQuery({
    queryKey: ["referral-duplicates", searchFor],
    queryFn: async () =>
      unwrap(await api.POST("/api/v1/participants/search", { body: { personnummer: searchFor, limit: 5 } })),
    enabled: searchFor !== null && can("participant:read"),
    staleTime: 0,
    gcTime: 0,
  });
  const found = searchFor !== null ? (duplicates.data?.items[0] ?? null) : null;

  const programme = programmes.data?.find((p) => p.code === values.programme_code);
  const programmeName = (p: Schemas["ProgrammeRead"]) => (english ? p.name_en : p.name_sv);
  const clientErrors = validate(values, {
    t,
    today,
    includePerson: target === null,
    personnummer,
    duplicateFound: found !== null,
    programme,
    programmeName: programme ? programmeName(programme) : "",
  });

  /** What a field shows: the server's word first, then the browser's once it may speak. */
  function errorOf(name: FieldName): string | undefined {
    if (serverErrors[name]) return serverErrors[name];
    if (name === "personnummer") {
      if (!submitted && !judgePersonnummer) return undefined;
      if (!submitted && !personnummer.ok && personnummer.problem === "empty") return undefined;
      // The duplicate notice explains itself; it becomes an error when saving anyway.
      if (!submitted && found) return undefined;
      return clientErrors.personnummer;
    }
    return submitted ? clientErrors[name] : undefined;
  }

  function set<K extends FieldName>(name: K, value: Values[K]) {
    setValues((current) => ({ ...current, [name]: value }));
    if (serverErrors[name]) setServerErrors(({ [name]: _dropped, ...rest }) => rest);
    if (name === "personnummer") setPersonnummerLeft(false);
  }

  const inputProps = (name: Exclude<FieldName, "protected_identity">) => ({
    id: fieldId(name),
    name,
    value: values[name],
    onChange: (event: { target: { value: string } }) => set(name, event.target.value as Values[typeof name]),
  });

  function chooseExisting(item: Schemas["ParticipantListItem"]) {
    setTarget({
      participantId: item.id,
      name: `${item.first_name} ${item.last_name}`,
      personnummerMasked: item.personnummer_masked,
      reason: "existing",
    });
    setServerErrors({});
    setSubmitError(null);
  }

  function chooseOther() {
    setTarget(null);
    setValues((current) => ({ ...current, personnummer: "" }));
    setPersonnummerLeft(false);
    setFocusRequest({ target: "personnummer" });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setSubmitted(true);
    setSubmitError(null);
    setServerErrors({});
    if (Object.keys(clientErrors).length > 0) {
      setFocusRequest({ target: "summary" });
      return;
    }
    setBusy(true);
    let stage: "person" | "referral" = "person";
    let person = target;
    try {
      if (person === null && personnummer.ok) {
        const created = unwrap(
          await api.POST("/api/v1/participants", { body: participantBody(values, personnummer.value.formatted) }),
        );
        person = {
          participantId: created.id,
          name: `${created.first_name} ${created.last_name}`,
          personnummerMasked: created.personnummer_masked,
          reason: "created",
        };
        // From here on the person exists: a retry only sends the referral.
        setTarget(person);
      }
      if (person === null) return;
      stage = "referral";
      unwrap(
        await api.POST("/api/v1/participants/{participant_id}/enrolments", {
          params: { path: { participant_id: person.participantId } },
          body: enrolmentBody(values),
        }),
      );
      void queryClient.invalidateQueries({ queryKey: ["caseload"] });
      void queryClient.invalidateQueries({ queryKey: ["tasks"] });
      navigate(`/deltagare/${person.participantId}`);
    } catch (error) {
      setReferralFailed(stage === "referral" && person?.reason === "created");
      if (isApiError(error, 409) && stage === "person") {
        setServerErrors({ personnummer: t("errors.exists") });
      } else if (isApiError(error, 422)) {
        const { fields, rest } = serverFieldErrors(error, t);
        setServerErrors(fields);
        if (rest) setSubmitError(error);
      } else {
        setSubmitError(error);
      }
      setFocusRequest({ target: "summary" });
    } finally {
      setBusy(false);
    }
  }

  if (!me) return <Loading />;
  if (!can("participant:create")) {
    return (
      <Page title={t("title")}>
        <div className="notice notice--error" role="alert">
          <p className="notice__title">{t("common:errors.notPermittedTitle")}</p>
          <p>{t("notPermitted")}</p>
        </div>
      </Page>
    );
  }

  const labels: Record<FieldName, string> = {
    personnummer: t("person.personnummer"),
    first_name: t("person.firstName"),
    last_name: t("person.lastName"),
    phone: t("person.phone"),
    email: t("person.email"),
    address: t("person.address"),
    gender: t("person.gender"),
    education_level: t("person.education"),
    protected_identity: t("person.protectedIdentity"),
    programme_code: t("referral.programme"),
    referred_on: t("referral.referredOn"),
    referrer_organisation_id: t("referral.organisation"),
    referrer_contact_name: `${t("referral.contactLegend")}: ${t("referral.contactName")}`,
    referrer_contact_phone: `${t("referral.contactLegend")}: ${t("referral.contactPhone")}`,
    referrer_contact_email: `${t("referral.contactLegend")}: ${t("referral.contactEmail")}`,
    benefit_at_start: t("referral.benefit"),
    months_on_support_before_start: t("referral.months"),
  };
  const shownErrors = FIELD_ORDER.map((name) => [name, errorOf(name)] as const).filter(
    (entry): entry is readonly [FieldName, string] => Boolean(entry[1]),
  );
  const showSummary = (submitted && shownErrors.length > 0) || submitError !== null;

  const codeOptions = (list: Schemas["CodeListRead"] | undefined): ReactNode =>
    (list?.entries ?? [])
      .filter((e) => (!e.valid_from || e.valid_from <= today) && (!e.valid_to || e.valid_to >= today))
      .sort((a, b) => a.sort_order - b.sort_order)
      .map((e) => (
        <option key={e.code} value={e.code}>
          {english ? e.label_en : e.label_sv}
        </option>
      ));

  const personnummerHint =
    personnummer.ok && judgePersonnummer
      ? `${t("person.personnummerHint")} ${t("person.personnummerOk", {
          kind: t(personnummer.value.isCoordinationNumber ? "person.kindCoordination" : "person.kindPersonnummer"),
          date: formatDate(personnummer.value.birthDate, i18n.language, LONG_DATE),
        })}`
      : t("person.personnummerHint");
  // Shown beside the programme so the age range can be matched before saving.
  const age =
    target === null && personnummer.ok && !clientErrors.referred_on
      ? ageOn(personnummer.value.birthDate, values.referred_on)
      : null;

  return (
    <Page title={t("title")}>
      <p>{t("intro")}</p>

      {showSummary && (
        <div className="notice notice--error referral-summary" role="alert" tabIndex={-1} ref={summaryRef}>
          {shownErrors.length > 0 && (
            <>
              <p className="notice__title">{t("common:errors.formSummary", { count: shownErrors.length })}</p>
              <ul>
                {shownErrors.map(([name, message]) => (
                  <li key={name}>
                    <a
                      href={`#${fieldId(name)}`}
                      onClick={(event) => {
                        event.preventDefault();
                        document.getElementById(fieldId(name))?.focus();
                      }}
                    >
                      {t("errors.summaryLink", { label: labels[name], message })}
                    </a>
                  </li>
                ))}
              </ul>
            </>
          )}
          {submitError !== null && (
            <>
              <p className="notice__title">{errorText(submitError, (key) => t(`common:${key}`)).title}</p>
              <p>{errorText(submitError, (key) => t(`common:${key}`)).body}</p>
            </>
          )}
        </div>
      )}

      {referralFailed && target?.reason === "created" && (
        <div className="notice notice--warn" role="status">
          <p className="notice__title">{t("partial.title")}</p>
          <p>{t("partial.body", { name: target.name })}</p>
          <p>
            <Link to={`/deltagare/${target.participantId}`}>{t("partial.open", { name: target.name })}</Link>
          </p>
        </div>
      )}

      <form className="form referral-form" noValidate onSubmit={(event) => void submit(event)}>
        <fieldset>
          <legend>{t("person.legend")}</legend>
          {target !== null ? (
            <div className="referral-chosen">
              <p>{t("person.chosen", { name: target.name, personnummer: target.personnummerMasked })}</p>
              {target.reason === "existing" && (
                <button type="button" className="button button--secondary" onClick={chooseOther}>
                  {t("person.other")}
                </button>
              )}
            </div>
          ) : (
            <>
              <Field label={labels.personnummer} hint={personnummerHint} error={errorOf("personnummer")} required>
                <input
                  {...inputProps("personnummer")}
                  autoComplete="off"
                  inputMode="numeric"
                  spellCheck={false}
                  onBlur={() => setPersonnummerLeft(values.personnummer.trim() !== "")}
                />
              </Field>
              <div aria-live="polite" className="referral-duplicate">
                {searchFor !== null && duplicates.isLoading && <p className="muted">{t("duplicate.searching")}</p>}
                {searchFor !== null && duplicates.isError && <p className="muted">{t("duplicate.failed")}</p>}
                {searchFor !== null && duplicates.isSuccess && !found && <p className="muted">{t("duplicate.notFound")}</p>}
                {found && (
                  <div className="notice notice--warn">
                    <p className="notice__title">{t("duplicate.title")}</p>
                    <p>
                      {t("duplicate.found", {
                        name: `${found.first_name} ${found.last_name}`,
                        personnummer: found.personnummer_masked,
                      })}
                    </p>
                    {found.current_enrolment && OPEN_STATES.includes(found.current_enrolment.state) && (
                      <p>
                        {t("duplicate.openEnrolment", { state: t(`common:states.${found.current_enrolment.state}`) })}
                      </p>
                    )}
                    <div className="form-actions">
                      <Link className="button button--secondary" to={`/deltagare/${found.id}`}>
                        {t("duplicate.open", { name: `${found.first_name} ${found.last_name}` })}
                      </Link>
                      {can("enrolment:refer") && (
                        <button type="button" className="button" onClick={() => chooseExisting(found)}>
                          {t("duplicate.refer", { name: `${found.first_name} ${found.last_name}` })}
                        </button>
                      )}
                    </div>
                  </div>
                )}
              </div>
              <div className="form-row">
                <Field label={labels.first_name} error={errorOf("first_name")} required>
                  <input {...inputProps("first_name")} autoComplete="off" maxLength={100} />
                </Field>
                <Field label={labels.last_name} error={errorOf("last_name")} required>
                  <input {...inputProps("last_name")} autoComplete="off" maxLength={100} />
                </Field>
              </div>
              <div className="form-row">
                <Field label={labels.phone} error={errorOf("phone")}>
                  <input {...inputProps("phone")} type="tel" autoComplete="off" maxLength={40} />
                </Field>
                <Field label={labels.email} error={errorOf("email")}>
                  <input {...inputProps("email")} type="email" autoComplete="off" maxLength={254} />
                </Field>
              </div>
              <Field label={labels.address} error={errorOf("address")}>
                <input {...inputProps("address")} autoComplete="off" maxLength={300} />
              </Field>
              <div className="form-row">
                <Field label={labels.gender} hint={t("person.genderHint")} error={errorOf("gender")}>
                  <select {...inputProps("gender")}>
                    <option value="">{t("person.genders.unset")}</option>
                    {GENDERS.map((gender) => (
                      <option key={gender} value={gender}>
                        {t(`person.genders.${gender}`)}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field
                  label={labels.education_level}
                  hint={education.isError ? t("referral.codeListFailed") : undefined}
                  error={errorOf("education_level")}
                >
                  <select {...inputProps("education_level")}>
                    <option value="">{t("person.educationUnset")}</option>
                    {codeOptions(education.data)}
                  </select>
                </Field>
              </div>
              <Field label={labels.protected_identity} hint={t("person.protectedIdentityHint")} error={errorOf("protected_identity")}>
                <input
                  id={fieldId("protected_identity")}
                  name="protected_identity"
                  type="checkbox"
                  className="referral-checkbox"
                  checked={values.protected_identity}
                  onChange={(event) => set("protected_identity", event.target.checked)}
                />
              </Field>
            </>
          )}
        </fieldset>

        <fieldset>
          <legend>{t("referral.legend")}</legend>
          {programmes.isError ? (
            <ErrorNotice error={programmes.error} onRetry={() => void programmes.refetch()} />
          ) : programmes.isPending ? (
            <Loading />
          ) : (
            <Field
              label={labels.programme_code}
              hint={age !== null ? t("referral.programmeAgeHint", { age }) : undefined}
              error={errorOf("programme_code")}
              required
            >
              <select {...inputProps("programme_code")}>
                <option value="">{t("referral.programmeChoose")}</option>
                {programmes.data.map((p) => (
                  <option key={p.code} value={p.code}>
                    {t("referral.programmeOption", { name: programmeName(p), min: p.min_age, max: p.max_age })}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field label={labels.referred_on} hint={t("referral.referredOnHint")} error={errorOf("referred_on")} required>
            <input {...inputProps("referred_on")} type="date" max={today} />
          </Field>
          <Field
            label={labels.referrer_organisation_id}
            hint={organisations.isError ? t("referral.organisationFailed") : undefined}
            error={errorOf("referrer_organisation_id")}
          >
            <select {...inputProps("referrer_organisation_id")}>
              <option value="">{t("referral.organisationUnset")}</option>
              {(organisations.data ?? []).map((org) => (
                <option key={org.id} value={String(org.id)}>
                  {org.name}
                </option>
              ))}
            </select>
          </Field>
          <fieldset>
            <legend>{t("referral.contactLegend")}</legend>
            <Field label={t("referral.contactName")} error={errorOf("referrer_contact_name")}>
              <input {...inputProps("referrer_contact_name")} autoComplete="off" maxLength={100} />
            </Field>
            <div className="form-row">
              <Field label={t("referral.contactPhone")} error={errorOf("referrer_contact_phone")}>
                <input {...inputProps("referrer_contact_phone")} type="tel" autoComplete="off" maxLength={40} />
              </Field>
              <Field label={t("referral.contactEmail")} error={errorOf("referrer_contact_email")}>
                <input {...inputProps("referrer_contact_email")} type="email" autoComplete="off" maxLength={254} />
              </Field>
            </div>
          </fieldset>
          <div className="form-row">
            <Field
              label={labels.benefit_at_start}
              hint={benefits.isError ? t("referral.codeListFailed") : undefined}
              error={errorOf("benefit_at_start")}
            >
              <select {...inputProps("benefit_at_start")}>
                <option value="">{t("referral.benefitUnset")}</option>
                {codeOptions(benefits.data)}
              </select>
            </Field>
            <Field label={labels.months_on_support_before_start} hint={t("referral.monthsHint")} error={errorOf("months_on_support_before_start")}>
              <input {...inputProps("months_on_support_before_start")} inputMode="numeric" autoComplete="off" />
            </Field>
          </div>
        </fieldset>

        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            {busy ? t("saving") : target !== null ? t("saveReferralOnly") : t("save")}
          </button>
        </div>
      </form>
    </Page>
  );
}
