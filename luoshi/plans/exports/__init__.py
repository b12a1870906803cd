"""Exports of plans and tasks: registered classes that read through the selectors.

Each exporter is built for one viewer (and a plan, a month or the ledger filters), reads only
what that viewer may see, and renders a rewound temporary file with the number of rows in it
(`render()` → `ExportFile`); the view records it in the audit log through
`documents.exporters.export_record` and streams the file.

- `BreakdownXlsx`: the task breakdown table (任务分解表) in the columns of the shared workbook
  (序号 … 阶段安排, with 编号), so that it imports again.
- `BreakdownDocx`: the same table in the official-document layout (a landscape page).
- `LedgerXlsx`: the ledger with the ledger's filters, the light as a word in a coloured cell;
  streamed: the rows are read in chunks (a fixed number of queries per 2,000 tasks) and written
  in openpyxl's write-only mode, so memory stays flat whatever the number of tasks.
- `ProgressDocx`: the monthly progress compilation (月度工作进展汇编): per key point, each
  task with its lead unit's report for the month and the cooperating units' parts; tasks
  without a report are marked and listed at the end.

Document texts (titles, column headers, light and status words) are Chinese data, as the
official layouts write them."""
