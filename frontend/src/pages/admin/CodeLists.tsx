// Code lists: every list with its current version, one list's entries (any published
// version) with the statistics flags in words, and, for an administrator, publishing a new
// version: edit the entries (add, change labels, retire), confirm the changes, see the new
// version number. Records keep the codes they were given; older versions stay readable.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, isApiError, unwrap } from "../../api/client";
import { serverFields } from "../../api/fieldErrors";
import { useSession } from "../../auth/session";
import { ErrorNotice, Loading } from "../../components/ErrorNotice";
import { Field } from "../../components/Field";
import { Page } from "../../components/Page";
import { formatDate, todayIso } from "../../lib/dates";
import "./admin.css";
import { CheckboxField } from "./CheckboxField";
import {
  type Change,
  checkDraft,
  type CodeEntry,
  type CodeList,
  codeListVersionBody,
  describeChanges,
  type Draft,
  draftsOf,
  FLAG_LISTS,
  type ListName,
  newDraft,
  OUTCOME_GROUPS,
  OUTCOME_LIST,
} from "./codeListDraft";

const LISTS_KEY = ["code-lists"] as const;

export default function CodeLists() {
  const { t } = useTranslation("admin");
  const { can } = useSession();
  const lists = useQuery({
    queryKey: LISTS_KEY,
    queryFn: async () => unwrap(await api.GET("/api/v1/code-lists")),
  });
  const [selected, setSelected] = useState<ListName | null>(null);
  const [published, setPublished] = useState<{ name: ListName; version: number } | null>(null);

  if (lists.isPending) {
    return (
      <Page title={t("codeLists.title")}>
        <Loading />
      </Page>
    );
  }
  if (lists.isError) {
    return (
      <Page title={t("codeLists.title")}>
        <ErrorNotice error={lists.error} onRetry={isApiError(lists.error, 403) ? undefined : () => void lists.refetch()} />
      </Page>
    );
  }
  const current = selected ?? lists.data[0]?.name ?? null;

  return (
    <Page title={t("codeLists.title")}>
      <p>{t("codeLists.intro")}</p>
      <p className="notice notice--info">{t("codeLists.versionsExplained")}</p>
      {published && (
        <p className="notice notice--ok" role="status">
          {t("codeLists.published", { list: t(`codeLists.names.${published.name}`), version: published.version })}
        </p>
      )}
      <section className="card" aria-labelledby="code-lists-all">
        <h2 id="code-lists-all">{t("codeLists.all.title")}</h2>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{t("codeLists.all.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("codeLists.all.list")}</th>
                <th scope="col" className="num">
                  {t("codeLists.all.version")}
                </th>
                <th scope="col">{t("codeLists.all.label")}</th>
                <th scope="col" className="num">
                  {t("codeLists.all.entries")}
                </th>
                <th scope="col">
                  <span className="visually-hidden">{t("codeLists.all.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {lists.data.map((list) => (
                <tr key={list.name}>
                  <th scope="row">{t(`codeLists.names.${list.name}`)}</th>
                  <td className="num">{list.version}</td>
                  <td>{list.label}</td>
                  <td className="num">{list.entries.length}</td>
                  <td>
                    <button
                      type="button"
                      className="button button--secondary admin-show"
                      aria-pressed={current === list.name}
                      aria-label={t("codeLists.all.showNamed", { list: t(`codeLists.names.${list.name}`) })}
                      onClick={() => {
                        setSelected(list.name);
                        setPublished(null);
                      }}
                    >
                      {t("codeLists.all.show")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {current && (
        <ListDetail
          key={current}
          name={current}
          canPublish={can("code_list:publish")}
          onPublished={(version) => setPublished({ name: current, version })}
        />
      )}
    </Page>
  );
}

function ListDetail({ name, canPublish, onPublished }: { name: ListName; canPublish: boolean; onPublished: (version: number) => void }) {
  const { t } = useTranslation("admin");
  const [version, setVersion] = useState<number | null>(null);
  const [editing, setEditing] = useState(false);
  const publishButton = useRef<HTMLButtonElement>(null);
  const currentList = useQuery({
    queryKey: [...LISTS_KEY, name],
    queryFn: async () => unwrap(await api.GET("/api/v1/code-lists/{list_name}", { params: { path: { list_name: name } } })),
  });
  const older = useQuery({
    queryKey: [...LISTS_KEY, name, version],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/code-lists/{list_name}", {
          params: { path: { list_name: name }, query: { version: version ?? undefined } },
        }),
      ),
    enabled: version !== null && version !== currentList.data?.version,
  });
  const title = t(`codeLists.names.${name}`);

  if (currentList.isPending) return <Loading />;
  if (currentList.isError) return <ErrorNotice error={currentList.error} onRetry={() => void currentList.refetch()} />;
  const latest = currentList.data;
  const viewingOld = version !== null && version !== latest.version;
  const shown = viewingOld ? older.data : latest;

  return (
    <section className="card" aria-labelledby="code-list-detail">
      <h2 id="code-list-detail">{title}</h2>
      <div className="admin-toolbar">
        <Field label={t("codeLists.detail.version")} hint={t("codeLists.detail.versionHint")}>
          <select
            value={version ?? latest.version}
            disabled={editing}
            onChange={(e) => setVersion(Number(e.target.value))}
          >
            {Array.from({ length: latest.version }, (_, i) => latest.version - i).map((v) => (
              <option key={v} value={v}>
                {v === latest.version ? t("codeLists.detail.currentVersion", { version: v }) : t("codeLists.detail.olderVersion", { version: v })}
              </option>
            ))}
          </select>
        </Field>
        {canPublish && !editing && !viewingOld && (
          <button ref={publishButton} type="button" className="button" onClick={() => setEditing(true)}>
            {t("codeLists.detail.newVersion")}
          </button>
        )}
      </div>
      {viewingOld && older.isPending && <Loading />}
      {viewingOld && older.isError && <ErrorNotice error={older.error} />}
      {shown && !editing && <EntriesTable list={shown} />}
      {editing && (
        <Editor
          list={latest}
          onCancel={() => {
            setEditing(false);
            requestAnimationFrame(() => publishButton.current?.focus());
          }}
          onPublished={(list) => {
            setEditing(false);
            setVersion(null);
            onPublished(list.version);
            requestAnimationFrame(() => publishButton.current?.focus());
          }}
        />
      )}
    </section>
  );
}

function validity(entry: { valid_from: string | null; valid_to: string | null }, today: string, t: (key: string, options?: Record<string, unknown>) => string, language: string): string {
  const show = (iso: string) => formatDate(iso, language);
  if (entry.valid_to && entry.valid_to < today) return t("codeLists.validity.retired", { date: show(entry.valid_to) });
  if (entry.valid_from && entry.valid_from > today) return t("codeLists.validity.from", { date: show(entry.valid_from) });
  if (entry.valid_to) return t("codeLists.validity.until", { date: show(entry.valid_to) });
  return t("codeLists.validity.always");
}

function flagWords(entry: CodeEntry, t: (key: string) => string): string {
  if (entry.excluded_from_statistics) return t("codeLists.flags.excluded");
  if (entry.continues_in_regular_operations) return t("codeLists.flags.continues");
  return t("codeLists.flags.ordinary");
}

function EntriesTable({ list }: { list: CodeList }) {
  const { t, i18n } = useTranslation("admin");
  const today = todayIso();
  const flags = FLAG_LISTS.includes(list.name);
  const outcome = list.name === OUTCOME_LIST;
  return (
    <>
      <p>
        {t("codeLists.detail.showing", { version: list.version })} <span className="muted">({list.label})</span>
      </p>
      {!flags && <p className="muted">{t("codeLists.detail.noFlags")}</p>}
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">
            {t("codeLists.detail.caption", { list: t(`codeLists.names.${list.name}`), version: list.version })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t("codeLists.fields.code")}</th>
              <th scope="col">{t("codeLists.fields.labelSv")}</th>
              <th scope="col">{t("codeLists.fields.labelEn")}</th>
              {outcome && <th scope="col">{t("codeLists.fields.outcomeGroup")}</th>}
              {flags && <th scope="col">{t("codeLists.fields.statistics")}</th>}
              <th scope="col">{t("codeLists.fields.validity")}</th>
            </tr>
          </thead>
          <tbody>
            {list.entries.map((entry) => (
              <tr key={entry.code}>
                <th scope="row">
                  <code>{entry.code}</code>
                </th>
                <td lang="sv">{entry.label_sv}</td>
                <td lang="en">{entry.label_en}</td>
                {outcome && <td>{entry.outcome_group ? t(`codeLists.outcomeGroups.${entry.outcome_group}`) : "–"}</td>}
                {flags && <td>{flagWords(entry, t)}</td>}
                <td>{validity(entry, today, t, i18n.language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

type Step = "edit" | "review";

function Editor({ list, onCancel, onPublished }: { list: CodeList; onCancel: () => void; onPublished: (list: CodeList) => void }) {
  const { t, i18n } = useTranslation("admin");
  const queryClient = useQueryClient();
  const [label, setLabel] = useState(list.label);
  const [drafts, setDrafts] = useState<Draft[]>(() => draftsOf(list));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [step, setStep] = useState<Step>("edit");
  const [failure, setFailure] = useState<unknown>(null);
  const nextKey = useRef(0);
  const focusKey = useRef<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const reviewHeading = useRef<HTMLHeadingElement>(null);
  const today = todayIso();
  const yesterday = todayIso(new Date(), -1);
  const flags = FLAG_LISTS.includes(list.name);
  const outcome = list.name === OUTCOME_LIST;
  const listTitle = t(`codeLists.names.${list.name}`);

  useEffect(() => {
    (step === "review" ? reviewHeading : heading).current?.focus();
  }, [step]);

  useEffect(() => {
    if (!focusKey.current) return;
    document.getElementById(`entry-${focusKey.current}-code`)?.focus();
    focusKey.current = null;
  }, [drafts]);

  const publish = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST("/api/v1/code-lists/{list_name}/versions", {
          params: { path: { list_name: list.name } },
          body: codeListVersionBody(list.name, label, drafts),
        }),
      ),
    onSuccess: async (created) => {
      queryClient.setQueryData([...LISTS_KEY, list.name], created);
      await queryClient.invalidateQueries({ queryKey: LISTS_KEY });
      onPublished(created);
    },
    onError: (error) => {
      setFailure(error);
      if (isApiError(error, 422)) {
        const found: Record<string, string> = {};
        for (const key of Object.keys(serverFields(error))) {
          if (/^entries\.\d+\.\w+$/.test(key) || key === "label") found[key] = "codeLists.errors.server";
        }
        setProblems(found);
        setStep("edit");
      }
    },
  });

  function change(key: string, patch: Partial<Draft>) {
    setDrafts((all) => all.map((d) => (d.key === key ? { ...d, ...patch } : d)));
  }

  function add() {
    nextKey.current += 1;
    const key = `new-${nextKey.current}`;
    focusKey.current = key;
    setDrafts((all) => [...all, newDraft(all, key)]);
  }

  function review(event: FormEvent) {
    event.preventDefault();
    const found = checkDraft(list.name, label, drafts);
    setProblems(found);
    setFailure(null);
    if (Object.keys(found).length === 0) setStep("review");
  }

  const problemCount = Object.keys(problems).length;
  const problemText = (key: string) => (problems[key] ? t(problems[key]) : undefined);
  const entryName = (index: number) => {
    const d = drafts[index];
    return d?.code.trim() ? d.code.trim() : t("codeLists.editor.newEntryN", { n: index + 1 });
  };
  const fieldNames: Record<string, string> = {
    code: t("codeLists.fields.code"),
    label_sv: t("codeLists.fields.labelSv"),
    label_en: t("codeLists.fields.labelEn"),
    sort_order: t("codeLists.fields.sortOrder"),
    outcome_group: t("codeLists.fields.outcomeGroup"),
    valid_from: t("codeLists.fields.validFrom"),
    valid_to: t("codeLists.fields.validTo"),
    excluded_from_statistics: t("codeLists.fields.excluded"),
    continues_in_regular_operations: t("codeLists.fields.continues"),
  };
  const summaryLine = (key: string) => {
    const match = /^entries\.(\d+)\.(\w+)$/.exec(key);
    if (match) {
      const index = Number(match[1]);
      const d = drafts[index];
      return {
        text: `${entryName(index)}, ${fieldNames[match[2]!] ?? match[2]}`,
        target: d ? `entry-${d.key}-${match[2]!.replace(/_/g, "-")}` : null,
      };
    }
    if (key === "label") return { text: t("codeLists.fields.versionLabel"), target: "code-list-label" };
    return { text: t("codeLists.editor.entries"), target: null };
  };

  if (step === "review") {
    const changes = describeChanges(list, label, drafts, today);
    return (
      <div className="admin-review">
        <h3 ref={reviewHeading} tabIndex={-1}>
          {t("codeLists.review.title", { list: listTitle, version: list.version + 1 })}
        </h3>
        {failure !== null && (
          isApiError(failure, 409) ? (
            <div className="notice notice--warn" role="alert">
              <p className="notice__title">{t("codeLists.review.conflictTitle")}</p>
              <p>{t("codeLists.review.conflict")}</p>
              <button
                type="button"
                className="button button--secondary"
                onClick={() => {
                  void queryClient.invalidateQueries({ queryKey: LISTS_KEY });
                  onCancel();
                }}
              >
                {t("common:reload")}
              </button>
            </div>
          ) : (
            <ErrorNotice error={failure} />
          )
        )}
        {changes.length === 0 ? (
          <p className="notice notice--warn">{t("codeLists.review.noChanges")}</p>
        ) : (
          <>
            <p>{t("codeLists.review.intro", { count: changes.length })}</p>
            <ul className="admin-changes">
              {changes.map((c, i) => (
                <li key={i}>{changeText(c, t, i18n.language)}</li>
              ))}
            </ul>
          </>
        )}
        <p>{t("codeLists.review.keep")}</p>
        <div className="form-actions">
          <button
            type="button"
            className="button"
            disabled={changes.length === 0 || publish.isPending}
            onClick={() => publish.mutate()}
          >
            {publish.isPending ? t("codeLists.review.publishing") : t("codeLists.review.publish", { version: list.version + 1 })}
          </button>
          <button type="button" className="button button--secondary" onClick={() => setStep("edit")}>
            {t("codeLists.review.back")}
          </button>
        </div>
      </div>
    );
  }

  return (
    <form className="admin-editor" noValidate onSubmit={review}>
      <h3 ref={heading} tabIndex={-1}>
        {t("codeLists.editor.title", { list: listTitle, version: list.version + 1 })}
      </h3>
      <p>{t("codeLists.editor.intro")}</p>
      {failure !== null && !isApiError(failure, 409) && <ErrorNotice error={failure} />}
      {problemCount > 0 && (
        <div className="notice notice--error" role="alert">
          <p className="notice__title">{t("common:errors.formSummary", { count: problemCount })}</p>
          <ul>
            {Object.entries(problems).map(([key, message]) => {
              const line = summaryLine(key);
              return (
                <li key={key}>
                  {line.target ? <a href={`#${line.target}`}>{line.text}</a> : line.text}: {t(message)}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      <div className="form">
        <Field label={t("codeLists.fields.versionLabel")} hint={t("codeLists.hints.versionLabel")} error={problemText("label")} required>
          <input id="code-list-label" name="label" maxLength={200} value={label} onChange={(e) => setLabel(e.target.value)} />
        </Field>
      </div>
      <h4>{t("codeLists.editor.entries")}</h4>
      {drafts.map((d, index) => {
        const at = (field: string) => problemText(`entries.${index}.${field}`);
        const id = (field: string) => `entry-${d.key}-${field}`;
        const retired = Boolean(d.valid_to) && d.valid_to < today;
        return (
          <fieldset key={d.key} className={`card admin-entry${retired ? " admin-entry--retired" : ""}${d.existing ? "" : " admin-entry--new"}`}>
            <legend>
              {d.existing ? t("codeLists.editor.entryLegend", { code: d.code }) : t("codeLists.editor.newEntryLegend", { n: index + 1 })}
              {retired && ` – ${t("codeLists.editor.retiredMark")}`}
            </legend>
            <div className="admin-entry__grid">
              {d.existing ? (
                <p className="field">
                  <span className="field__label">{t("codeLists.fields.code")}</span>
                  <code>{d.code}</code>
                </p>
              ) : (
                <Field label={t("codeLists.fields.code")} hint={t("codeLists.hints.code")} error={at("code")} required>
                  <input
                    id={id("code")}
                    name="code"
                    maxLength={40}
                    autoComplete="off"
                    spellCheck={false}
                    value={d.code}
                    onChange={(e) => change(d.key, { code: e.target.value })}
                  />
                </Field>
              )}
              <Field label={t("codeLists.fields.labelSv")} error={at("label_sv")} required>
                <input
                  id={id("label-sv")}
                  lang="sv"
                  maxLength={200}
                  value={d.label_sv}
                  onChange={(e) => change(d.key, { label_sv: e.target.value })}
                />
              </Field>
              <Field label={t("codeLists.fields.labelEn")} error={at("label_en")} required>
                <input
                  id={id("label-en")}
                  lang="en"
                  maxLength={200}
                  value={d.label_en}
                  onChange={(e) => change(d.key, { label_en: e.target.value })}
                />
              </Field>
              <Field label={t("codeLists.fields.sortOrder")} hint={t("codeLists.hints.sortOrder")} error={at("sort_order")} required>
                <input
                  id={id("sort-order")}
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={1000000}
                  step={1}
                  value={d.sort_order}
                  onChange={(e) => change(d.key, { sort_order: e.target.value })}
                />
              </Field>
              {outcome && (
                <Field label={t("codeLists.fields.outcomeGroup")} hint={t("codeLists.hints.outcomeGroup")} error={at("outcome_group")} required>
                  <select
                    id={id("outcome-group")}
                    value={d.outcome_group}
                    onChange={(e) => change(d.key, { outcome_group: e.target.value as Draft["outcome_group"] })}
                  >
                    <option value="">{t("codeLists.editor.chooseOutcome")}</option>
                    {OUTCOME_GROUPS.map((g) => (
                      <option key={g} value={g}>
                        {t(`codeLists.outcomeGroups.${g}`)}
                      </option>
                    ))}
                  </select>
                </Field>
              )}
              <Field label={t("codeLists.fields.validFrom")} hint={t("codeLists.hints.validFrom")} error={at("valid_from")}>
                <input
                  id={id("valid-from")}
                  type="date"
                  value={d.valid_from}
                  onChange={(e) => change(d.key, { valid_from: e.target.value })}
                />
              </Field>
              <Field label={t("codeLists.fields.validTo")} hint={t("codeLists.hints.validTo")} error={at("valid_to")}>
                <input
                  id={id("valid-to")}
                  type="date"
                  value={d.valid_to}
                  onChange={(e) => change(d.key, { valid_to: e.target.value })}
                />
              </Field>
            </div>
            {flags && (
              <div className="admin-entry__grid">
                <CheckboxField
                  id={id("continues-in-regular-operations")}
                  label={t("codeLists.fields.continues")}
                  hint={t("codeLists.hints.continues")}
                  error={at("continues_in_regular_operations")}
                  checked={d.continues_in_regular_operations}
                  onChange={(checked) => change(d.key, { continues_in_regular_operations: checked })}
                />
                <CheckboxField
                  id={id("excluded-from-statistics")}
                  label={t("codeLists.fields.excluded")}
                  hint={t("codeLists.hints.excluded")}
                  error={at("excluded_from_statistics")}
                  checked={d.excluded_from_statistics}
                  onChange={(checked) => change(d.key, { excluded_from_statistics: checked })}
                />
              </div>
            )}
            <div className="admin-entry__actions">
              {d.existing ? (
                retired ? (
                  <button
                    type="button"
                    className="button button--secondary"
                    aria-label={t("codeLists.editor.reinstateNamed", { code: d.code })}
                    onClick={() => change(d.key, { valid_to: "" })}
                  >
                    {t("codeLists.editor.reinstate")}
                  </button>
                ) : (
                  <button
                    type="button"
                    className="button button--secondary"
                    aria-label={t("codeLists.editor.retireNamed", { code: d.code })}
                    onClick={() => change(d.key, { valid_to: yesterday })}
                  >
                    {t("codeLists.editor.retire")}
                  </button>
                )
              ) : (
                <button
                  type="button"
                  className="button button--secondary"
                  onClick={() => setDrafts((all) => all.filter((x) => x.key !== d.key))}
                >
                  {t("codeLists.editor.remove", { n: index + 1 })}
                </button>
              )}
              {retired && <span className="muted">{t("codeLists.editor.retiredHint", { date: formatDate(d.valid_to, i18n.language) })}</span>}
            </div>
          </fieldset>
        );
      })}
      <div className="form-actions">
        <button type="button" className="button button--secondary" onClick={add}>
          {t("codeLists.editor.add")}
        </button>
      </div>
      <p className="muted">{t("codeLists.editor.noDelete")}</p>
      <div className="form-actions">
        <button type="submit" className="button">
          {t("codeLists.editor.review")}
        </button>
        <button type="button" className="button button--secondary" onClick={onCancel}>
          {t("common:cancel")}
        </button>
      </div>
    </form>
  );
}

function changeText(change: Change, t: (key: string, options?: Record<string, unknown>) => string, language: string): string {
  switch (change.kind) {
    case "label":
      return t("codeLists.changes.label", { from: change.from, to: change.to });
    case "added":
      return t("codeLists.changes.added", { code: change.code, label: change.label });
    case "relabelled":
      return t(`codeLists.changes.relabelled_${change.language}`, { code: change.code, from: change.from, to: change.to });
    case "retired":
      return t("codeLists.changes.retired", { code: change.code, date: formatDate(change.on, language) });
    case "reinstated":
      return t("codeLists.changes.reinstated", { code: change.code });
    case "changed":
      return t("codeLists.changes.changed", { code: change.code });
  }
}
