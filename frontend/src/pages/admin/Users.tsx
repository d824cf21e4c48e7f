// The administrator's staff accounts: the list (with a role filter), a form that creates an
// account with the organisation the role needs, and a panel that changes one (display name,
// active or disabled, a new password) with If-Match. Role and organisations cannot change:
// the API asks for a new account instead, so the old account's audit trail keeps its meaning.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ifMatch, isApiError, type Schemas, unwrap } from "../../api/client";
import { isValidationError, serverFields } from "../../api/fieldErrors";
import { ErrorNotice, Loading } from "../../components/ErrorNotice";
import { Field } from "../../components/Field";
import { Page } from "../../components/Page";
import "./admin.css";
import { CheckboxField } from "./CheckboxField";

type User = Schemas["UserRead"];
type Organisation = Schemas["OrganisationRead"];
type Role = Schemas["Role"];
type UserCreate = Schemas["UserCreate"];
type UserUpdate = Schemas["UserUpdate"];

/** Roles an administrator can give (integration clients are created elsewhere). */
export const STAFF_ROLES: Role[] = [
  "mentor",
  "lead_mentor",
  "unit_manager",
  "referrer",
  "association_analyst",
  "evaluator",
  "admin",
];
const MUNICIPAL_ROLES: Role[] = ["mentor", "lead_mentor", "unit_manager"];
const USERNAME = /^[a-z0-9._-]{3,100}$/;

type Errors = Record<string, string>;
const KNOWN_FIELDS = ["username", "display_name", "role", "municipality_id", "organisation_id", "password", "is_active"];

const USERS_KEY = ["admin", "users"] as const;

function useOrganisations() {
  return useQuery({
    queryKey: ["admin", "organisations"],
    queryFn: async () => unwrap(await api.GET("/api/v1/admin/organisations")),
    staleTime: 5 * 60_000,
  });
}

export default function Users() {
  const { t } = useTranslation("admin");
  const users = useQuery({
    queryKey: USERS_KEY,
    queryFn: async () => unwrap(await api.GET("/api/v1/admin/users")),
  });
  const organisations = useOrganisations();
  const [roleFilter, setRoleFilter] = useState<Role | "">("");
  const [editingId, setEditingId] = useState<number | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const editButtons = useRef(new Map<number, HTMLButtonElement>());

  const byId = useMemo(() => new Map((organisations.data ?? []).map((o) => [o.id, o])), [organisations.data]);
  const shown = (users.data ?? []).filter((u) => !roleFilter || u.role === roleFilter);
  const editing = users.data?.find((u) => u.id === editingId) ?? null;

  function closeEditor(message: string | null) {
    const id = editingId;
    setEditingId(null);
    setSaved(message);
    if (id !== null) requestAnimationFrame(() => editButtons.current.get(id)?.focus());
  }

  if (users.isPending) {
    return (
      <Page title={t("users.title")}>
        <Loading />
      </Page>
    );
  }
  if (users.isError) {
    return (
      <Page title={t("users.title")}>
        <ErrorNotice error={users.error} onRetry={isApiError(users.error, 403) ? undefined : () => void users.refetch()} />
      </Page>
    );
  }

  return (
    <Page
      title={t("users.title")}
      actions={
        <a className="button" href="#users-create">
          {t("users.create.jump")}
        </a>
      }
    >
      <p>{t("users.intro")}</p>
      {organisations.isError && <ErrorNotice error={organisations.error} onRetry={() => void organisations.refetch()} />}

      <section className="card" aria-labelledby="users-list">
        <h2 id="users-list">{t("users.list.title")}</h2>
        <div className="admin-toolbar">
          <Field label={t("users.list.filter")}>
            <select value={roleFilter} onChange={(e) => setRoleFilter(e.target.value as Role | "")}>
              <option value="">{t("users.list.allRoles")}</option>
              {STAFF_ROLES.map((role) => (
                <option key={role} value={role}>
                  {t(`common:roles.${role}`)}
                </option>
              ))}
            </select>
          </Field>
          <p className="muted" aria-live="polite">
            {t("users.list.count", { count: shown.length })}
          </p>
        </div>
        {saved && (
          <p className="notice notice--ok" role="status">
            {saved}
          </p>
        )}
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t("users.list.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("users.fields.username")}</th>
                <th scope="col">{t("users.fields.displayName")}</th>
                <th scope="col">{t("users.fields.role")}</th>
                <th scope="col">{t("users.fields.organisation")}</th>
                <th scope="col">{t("users.fields.status")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("users.list.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((user) => (
                <tr key={user.id}>
                  <th scope="row">{user.username}</th>
                  <td>{user.display_name}</td>
                  <td>{t(`common:roles.${user.role}`)}</td>
                  <td>{organisationText(user, byId)}</td>
                  <td>
                    {user.is_active ? (
                      <span className="badge badge--ok">{t("users.status.active")}</span>
                    ) : (
                      <span className="badge badge--error">{t("users.status.disabled")}</span>
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button button--secondary"
                      aria-expanded={editingId === user.id}
                      aria-label={t("users.list.editNamed", { name: user.username })}
                      ref={(el) => {
                        if (el) editButtons.current.set(user.id, el);
                        else editButtons.current.delete(user.id);
                      }}
                      onClick={() => {
                        setSaved(null);
                        setEditingId(user.id);
                      }}
                    >
                      {t("users.list.edit")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {editing && (
        <EditUser
          key={`${editing.id}-${editing.version}`}
          user={editing}
          organisation={organisationText(editing, byId)}
          onDone={closeEditor}
        />
      )}

      <CreateUser organisations={organisations.data ?? []} onCreated={(name) => setSaved(t("users.create.done", { name }))} />
    </Page>
  );
}

function organisationText(user: User, byId: Map<number, Organisation>): string {
  const names = [user.municipality_id, user.organisation_id]
    .filter((id): id is number => id !== null)
    .filter((id, index, all) => all.indexOf(id) === index)
    .map((id) => byId.get(id)?.name ?? `#${id}`);
  return names.join(", ");
}

/** "finns redan" → "Finns redan." (the service's field texts are short phrases). */
function asSentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** The field errors of a refused create/update, in the screen's words where the API's are technical. */
function fieldErrorsFrom(error: unknown, t: (key: string) => string): Errors {
  const fields = serverFields(error);
  const validation = isValidationError(error);
  const found: Errors = {};
  for (const [field, message] of Object.entries(fields)) {
    if (field === "username" && isApiError(error, 409)) found.username = t("users.errors.usernameTaken");
    else if (validation) found[field] = KNOWN_FIELDS.includes(field) ? t(`users.errors.${field}`) : t("users.errors.generic");
    else found[field] = asSentence(message);
  }
  return found;
}

function ErrorSummary({ errors, labels, ids }: { errors: Errors; labels: Record<string, string>; ids: Record<string, string> }) {
  const { t } = useTranslation();
  const entries = Object.entries(errors);
  if (entries.length === 0) return null;
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__title">{t("errors.formSummary", { count: entries.length })}</p>
      <ul>
        {entries.map(([field, message]) => (
          <li key={field}>
            {ids[field] ? <a href={`#${ids[field]}`}>{labels[field] ?? field}</a> : (labels[field] ?? field)}: {message}
          </li>
        ))}
      </ul>
    </div>
  );
}

type CreateForm = {
  username: string;
  display_name: string;
  role: Role | "";
  municipality_id: string;
  organisation_id: string;
  password: string;
};

const EMPTY: CreateForm = { username: "", display_name: "", role: "", municipality_id: "", organisation_id: "", password: "" };

/** The body the API gets for the form, with the organisation fields the role takes. */
export function userCreateBody(form: CreateForm): UserCreate {
  const body: UserCreate = {
    username: form.username.trim(),
    display_name: form.display_name.trim(),
    role: form.role as Role,
    password: form.password,
  };
  if (MUNICIPAL_ROLES.includes(form.role as Role)) {
    if (form.municipality_id) body.municipality_id = Number(form.municipality_id);
    if (form.organisation_id) body.organisation_id = Number(form.organisation_id);
  } else if (form.organisation_id) {
    body.organisation_id = Number(form.organisation_id);
  }
  return body;
}

function organisationKindFor(role: Role | ""): Schemas["OrganisationKind"] | null {
  switch (role) {
    case "referrer":
      return "referrer";
    case "association_analyst":
    case "evaluator":
    case "admin":
      return "association";
    default:
      return null;
  }
}

function CreateUser({ organisations, onCreated }: { organisations: Organisation[]; onCreated: (name: string) => void }) {
  const { t } = useTranslation("admin");
  const queryClient = useQueryClient();
  const [form, setForm] = useState<CreateForm>(EMPTY);
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const ids = {
    username: "user-username",
    display_name: "user-display-name",
    role: "user-role",
    municipality_id: "user-municipality",
    organisation_id: "user-organisation",
    password: "user-password",
  };
  const labels: Record<string, string> = {
    username: t("users.fields.username"),
    display_name: t("users.fields.displayName"),
    role: t("users.fields.role"),
    municipality_id: t("users.fields.municipality"),
    organisation_id: MUNICIPAL_ROLES.includes(form.role as Role) ? t("users.fields.unit") : t("users.fields.organisation"),
    password: t("users.fields.password"),
  };

  const municipal = MUNICIPAL_ROLES.includes(form.role as Role);
  const kind = organisationKindFor(form.role);
  const municipalities = organisations.filter((o) => o.kind === "municipality");
  const units = organisations.filter((o) => o.kind === "unit" && String(o.parent_id) === form.municipality_id);
  const choices = kind ? organisations.filter((o) => o.kind === kind) : [];

  // An analyst's or evaluator's association is preselected when there is only one.
  useEffect(() => {
    if (kind === "association" && form.role !== "admin" && !form.organisation_id && choices.length === 1) {
      setForm((f) => ({ ...f, organisation_id: String(choices[0]!.id) }));
    }
  }, [kind, form.role, form.organisation_id, choices]);

  const create = useMutation({
    mutationFn: async (body: UserCreate) => unwrap(await api.POST("/api/v1/admin/users", { body })),
    onSuccess: async (user) => {
      setForm(EMPTY);
      setErrors({});
      setFailure(null);
      onCreated(user.username);
      await queryClient.invalidateQueries({ queryKey: USERS_KEY });
    },
    onError: (error) => {
      const found = fieldErrorsFrom(error, t);
      setErrors(found);
      setFailure(Object.keys(found).length > 0 ? null : error);
    },
  });

  function set<K extends keyof CreateForm>(key: K, value: CreateForm[K]) {
    setForm((f) => {
      const next = { ...f, [key]: value };
      // The organisation belongs to the role (and a unit to its municipality): start over.
      if (key === "role") {
        next.municipality_id = "";
        next.organisation_id = "";
      }
      if (key === "municipality_id") next.organisation_id = "";
      return next;
    });
  }

  function validate(): Errors {
    const found: Errors = {};
    const username = form.username.trim();
    if (!username) found.username = t("users.errors.usernameMissing");
    else if (!USERNAME.test(username)) found.username = t("users.errors.username");
    const name = form.display_name.trim();
    if (!name) found.display_name = t("users.errors.displayNameMissing");
    else if (name.length > 100) found.display_name = t("users.errors.display_name");
    if (!form.role) found.role = t("users.errors.role");
    if (municipal && !form.municipality_id) found.municipality_id = t("users.errors.municipalityMissing");
    if (kind && form.role !== "admin" && !form.organisation_id) found.organisation_id = t("users.errors.organisationMissing");
    if (form.password.length < 12) found.password = t("users.errors.password");
    else if (form.password.length > 1024) found.password = t("users.errors.passwordLong");
    return found;
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    create.mutate(userCreateBody(form));
  }

  return (
    <section className="card" aria-labelledby="users-create">
      <h2 id="users-create">{t("users.create.title")}</h2>
      <p>{t("users.create.intro")}</p>
      <ErrorSummary errors={errors} labels={labels} ids={ids} />
      {failure !== null && <ErrorNotice error={failure} />}
      <form className="form" noValidate onSubmit={submit}>
        <Field label={labels.username} hint={t("users.hints.username")} error={errors.username} required>
          <input
            id={ids.username}
            name="username"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={100}
            value={form.username}
            onChange={(e) => set("username", e.target.value)}
          />
        </Field>
        <Field label={labels.display_name} hint={t("users.hints.displayName")} error={errors.display_name} required>
          <input
            id={ids.display_name}
            name="display_name"
            autoComplete="off"
            maxLength={100}
            value={form.display_name}
            onChange={(e) => set("display_name", e.target.value)}
          />
        </Field>
        <Field label={labels.role} hint={t("users.hints.role")} error={errors.role} required>
          <select id={ids.role} name="role" value={form.role} onChange={(e) => set("role", e.target.value as Role | "")}>
            <option value="">{t("users.create.chooseRole")}</option>
            {STAFF_ROLES.map((role) => (
              <option key={role} value={role}>
                {t(`common:roles.${role}`)}
              </option>
            ))}
          </select>
        </Field>
        {municipal && (
          <>
            <Field label={labels.municipality_id} hint={t("users.hints.municipality")} error={errors.municipality_id} required>
              <select
                id={ids.municipality_id}
                name="municipality_id"
                value={form.municipality_id}
                onChange={(e) => set("municipality_id", e.target.value)}
              >
                <option value="">{t("users.create.chooseMunicipality")}</option>
                {municipalities.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={labels.organisation_id} hint={t("users.hints.unit")} error={errors.organisation_id}>
              <select
                id={ids.organisation_id}
                name="organisation_id"
                value={form.organisation_id}
                disabled={!form.municipality_id}
                onChange={(e) => set("organisation_id", e.target.value)}
              >
                <option value="">{t("users.create.noUnit")}</option>
                {units.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </Field>
          </>
        )}
        {kind && (
          <Field
            label={labels.organisation_id}
            hint={t(`users.hints.organisation.${form.role}`)}
            error={errors.organisation_id}
            required={form.role !== "admin"}
          >
            <select
              id={ids.organisation_id}
              name="organisation_id"
              value={form.organisation_id}
              onChange={(e) => set("organisation_id", e.target.value)}
            >
              <option value="">{form.role === "admin" ? t("users.create.noOrganisation") : t("users.create.chooseOrganisation")}</option>
              {choices.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field label={labels.password} hint={t("users.hints.password")} error={errors.password} required>
          <input
            id={ids.password}
            name="password"
            type="password"
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => set("password", e.target.value)}
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button" disabled={create.isPending}>
            {create.isPending ? t("common:saving") : t("users.create.submit")}
          </button>
        </div>
      </form>
    </section>
  );
}

function EditUser({ user, organisation, onDone }: { user: User; organisation: string; onDone: (message: string | null) => void }) {
  const { t } = useTranslation("admin");
  const queryClient = useQueryClient();
  const heading = useRef<HTMLHeadingElement>(null);
  const [displayName, setDisplayName] = useState(user.display_name);
  const [active, setActive] = useState(user.is_active);
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<unknown>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  const update = useMutation({
    mutationFn: async (body: UserUpdate) =>
      unwrap(
        await api.PATCH("/api/v1/admin/users/{user_id}", {
          params: { path: { user_id: user.id }, header: { "if-match": ifMatch(user.version) } },
          body,
        }),
      ),
    onSuccess: async (updated) => {
      queryClient.setQueryData<User[]>(USERS_KEY, (all) => all?.map((u) => (u.id === updated.id ? updated : u)));
      await queryClient.invalidateQueries({ queryKey: USERS_KEY });
      onDone(t("users.edit.done", { name: updated.username }));
    },
    onError: (error) => {
      if (isApiError(error, 412) || isApiError(error, 428)) {
        setErrors({});
        setFailure(error);
        return;
      }
      const found = fieldErrorsFrom(error, t);
      if (isApiError(error, 409) && found.is_active) found.is_active = error.message || found.is_active;
      setErrors(found);
      setFailure(Object.keys(found).length > 0 ? null : error);
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const found: Errors = {};
    const name = displayName.trim();
    if (!name) found.display_name = t("users.errors.displayNameMissing");
    else if (name.length > 100) found.display_name = t("users.errors.display_name");
    if (password && password.length < 12) found.password = t("users.errors.password");
    else if (password.length > 1024) found.password = t("users.errors.passwordLong");
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) return;
    const body: UserUpdate = {};
    if (name !== user.display_name) body.display_name = name;
    if (active !== user.is_active) body.is_active = active;
    if (password) body.password = password;
    if (Object.keys(body).length === 0) {
      onDone(t("users.edit.nothing"));
      return;
    }
    update.mutate(body);
  }

  const stale = isApiError(failure, 412) || isApiError(failure, 428);
  const labels: Record<string, string> = {
    display_name: t("users.fields.displayName"),
    is_active: t("users.fields.active"),
    password: t("users.fields.newPassword"),
  };
  const ids = { display_name: "edit-display-name", password: "edit-password" };

  return (
    <section className="card" aria-labelledby="users-edit">
      <h2 id="users-edit" ref={heading} tabIndex={-1}>
        {t("users.edit.title", { name: user.username })}
      </h2>
      {stale ? (
        <div className="notice notice--warn" role="alert">
          <p className="notice__title">{t("users.edit.staleTitle")}</p>
          <p>{t("users.edit.stale")}</p>
          <button
            type="button"
            className="button button--secondary"
            onClick={() => void queryClient.invalidateQueries({ queryKey: USERS_KEY })}
          >
            {t("common:reload")}
          </button>
        </div>
      ) : (
        failure !== null && <ErrorNotice error={failure} />
      )}
      <ErrorSummary errors={errors} labels={labels} ids={ids} />
      <dl className="admin-readonly">
        <dt>{t("users.fields.role")}</dt>
        <dd>{t(`common:roles.${user.role}`)}</dd>
        <dt>{t("users.fields.organisation")}</dt>
        <dd>{organisation || t("common:none")}</dd>
      </dl>
      <p className="muted">{t("users.edit.fixed")}</p>
      <form className="form" noValidate onSubmit={submit}>
        <Field label={labels.display_name} error={errors.display_name} required>
          <input
            id={ids.display_name}
            name="display_name"
            autoComplete="off"
            maxLength={100}
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
          />
        </Field>
        <CheckboxField
          name="is_active"
          label={labels.is_active}
          hint={t("users.hints.active")}
          error={errors.is_active}
          checked={active}
          onChange={setActive}
        />
        <Field label={labels.password} hint={t("users.hints.newPassword")} error={errors.password}>
          <input
            id={ids.password}
            name="password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button" disabled={update.isPending || stale}>
            {update.isPending ? t("common:saving") : t("common:save")}
          </button>
          <button type="button" className="button button--secondary" onClick={() => onDone(null)}>
            {t("common:cancel")}
          </button>
        </div>
      </form>
    </section>
  );
}
