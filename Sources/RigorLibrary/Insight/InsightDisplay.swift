// InsightDisplay: explanations show as ModelInsight renders them: a table with inline bars, the check and a
// waterfall (tabular), the heat map beside the image (images); many rows as mean |attribution| bars and a beeswarm.
import ModelInsight
import RichDisplay

extension ExplanationObject: MIMERepresentable {
    var mimeBundle: MIMEBundle { explanation.mimeBundle }
}

extension ExplanationSetObject: MIMERepresentable {
    var mimeBundle: MIMEBundle { self.set.mimeBundle }
}
